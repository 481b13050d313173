-- AlterTable
ALTER TABLE "HostCluster" ADD COLUMN     "chartRef" TEXT,
ADD COLUMN     "chartVersion" TEXT;

-- AlterTable
ALTER TABLE "VCluster" ADD COLUMN     "chartVersion" TEXT;
