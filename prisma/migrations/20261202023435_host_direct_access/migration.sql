-- AlterTable
ALTER TABLE "HostCluster" ADD COLUMN     "directAccessHostPattern" TEXT,
ADD COLUMN     "directAccessIngressClass" TEXT;
