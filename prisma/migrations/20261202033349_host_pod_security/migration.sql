-- AlterTable
ALTER TABLE "HostCluster" ADD COLUMN     "podSecurityLevel" TEXT NOT NULL DEFAULT 'baseline';
