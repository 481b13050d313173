-- AlterTable
ALTER TABLE "VCluster" ADD COLUMN     "lastActivityAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "KubeAccessToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "vclusterId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "sealedToken" TEXT NOT NULL,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KubeAccessToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "KubeAccessToken_tokenHash_key" ON "KubeAccessToken"("tokenHash");

-- CreateIndex
CREATE INDEX "KubeAccessToken_userId_vclusterId_idx" ON "KubeAccessToken"("userId", "vclusterId");

-- CreateIndex
CREATE INDEX "KubeAccessToken_vclusterId_idx" ON "KubeAccessToken"("vclusterId");

-- AddForeignKey
ALTER TABLE "KubeAccessToken" ADD CONSTRAINT "KubeAccessToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KubeAccessToken" ADD CONSTRAINT "KubeAccessToken_vclusterId_fkey" FOREIGN KEY ("vclusterId") REFERENCES "VCluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
