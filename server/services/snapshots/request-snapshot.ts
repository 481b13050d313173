import { randomBytes } from "node:crypto";
import type { Tx } from "@/server/db/client";
import { requestChange } from "@/server/engine/queue/request-change";
import { AppError } from "@/server/universal/errors";
import type { Operation, Snapshot, VCluster } from "@/server/generated/prisma/client";

/** Snapshot operations give up sooner than others: a retry re-exports everything, and the cluster waits meanwhile. */
export const SNAPSHOT_MAX_ATTEMPTS = 3;

/** Counted against the project's quota under its lock, so concurrent snapshots cannot overshoot. */
async function checkSnapshotQuota(tx: Tx, projectId: string): Promise<void> {
  const rows = await tx.$queryRaw<
    { maxSnapshots: number }[]
  >`SELECT "maxSnapshots" FROM "Quota" WHERE "projectId" = ${projectId} FOR UPDATE`;
  if (!rows[0]) return;
  const used = await tx.snapshot.count({ where: { projectId, status: { in: ["CREATING", "READY"] } } });
  if (used + 1 > rows[0].maxSnapshots) {
    throw new AppError(
      "QUOTA_EXCEEDED",
      `project quota exceeded: snapshots would be ${used + 1}, the limit is ${rows[0].maxSnapshots}; delete old snapshots or set a retention policy`,
      {
        issues: [{ field: "quota", message: "snapshots" }],
      },
    );
  }
}

/** `<vcluster>-<yyyymmdd-hhmmss>-<4 hex>`: readable, sortable, and unique even for two in the same second. */
export function defaultSnapshotName(vclusterName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${vclusterName.slice(0, 38)}-${stamp}-${randomBytes(2).toString("hex")}`;
}

/** The Snapshot row, in CREATING, for an operation that will fill it. */
export async function reserveSnapshot(
  tx: Tx,
  vcluster: VCluster,
  name: string | undefined,
  createdById: string | null,
): Promise<Snapshot> {
  await checkSnapshotQuota(tx, vcluster.projectId);
  const snapshotName = name ?? defaultSnapshotName(vcluster.name);
  const taken = await tx.snapshot.findUnique({
    where: { vclusterId_name: { vclusterId: vcluster.id, name: snapshotName } },
    select: { id: true },
  });
  if (taken)
    throw new AppError("CONFLICT", `name: ${vcluster.name} already has a snapshot named ${snapshotName}`, {
      issues: [{ field: "name", message: "already exists" }],
    });
  return tx.snapshot.create({
    data: {
      name: snapshotName,
      vclusterId: vcluster.id,
      vclusterName: vcluster.name,
      projectId: vcluster.projectId,
      createdById,
    },
  });
}

/** RUNNING → SNAPSHOTTING with its operation, in the caller's transaction. */
export async function requestSnapshot(
  tx: Tx,
  vcluster: VCluster,
  name: string | undefined,
  requestedById: string | null,
): Promise<{ snapshot: Snapshot; operation: Operation }> {
  const snapshot = await reserveSnapshot(tx, vcluster, name, requestedById);
  const { operation } = await requestChange(tx, {
    vclusterId: vcluster.id,
    kind: "SNAPSHOT",
    params: { snapshotId: snapshot.id },
    requestedById,
    maxAttempts: SNAPSHOT_MAX_ATTEMPTS,
  });
  return { snapshot, operation };
}
