-- CreateIndex
CREATE INDEX "VCluster_name_id_idx" ON "VCluster"("name", "id");

-- CreateIndex
CREATE INDEX "VCluster_createdAt_id_idx" ON "VCluster"("createdAt", "id");
