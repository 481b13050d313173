import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { snapshotPrefix } from "./snapshot-steps";

/** Keeps the newest `keepLast` READY snapshots of a vcluster and deletes the rest, objects first, then rows. */
export async function enforceRetention(db: Db, store: ObjectStore, vclusterId: string): Promise<number> {
  const policy = await db.snapshotPolicy.findUnique({ where: { vclusterId } });
  if (!policy?.keepLast) return 0;
  const expired = await db.snapshot.findMany({
    where: { vclusterId, status: "READY" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: policy.keepLast,
  });
  for (const snapshot of expired) {
    // Claim it first, so two instances enforcing at once do not both delete, and a crash leaves it visibly DELETING.
    const { count } = await db.snapshot.updateMany({
      where: { id: snapshot.id, status: "READY" },
      data: { status: "DELETING" },
    });
    if (count === 0) continue;
    await store.deletePrefix(snapshotPrefix(snapshot));
    await db.snapshot.delete({ where: { id: snapshot.id } });
    logger().info({ snapshot: snapshot.id, vclusterId }, "snapshot removed by retention");
  }
  return expired.length;
}
