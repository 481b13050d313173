/**
 * Scheduled snapshots. Each due policy is claimed (FOR UPDATE SKIP LOCKED) and moved to its next run in one
 * transaction, so with several instances every run happens once; the snapshot is then requested like a user's,
 * audited as the system, and refused (quota, a busy cluster) the same way.
 */
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { audited, type AuditActor } from "../audit/write-audit";
import { nextRunOf } from "./policy";
import { requestSnapshot } from "./request-snapshot";

const SCHEDULER: AuditActor = {
  actorType: "system",
  actorId: null,
  actorLabel: "snapshot schedule",
  requestId: null,
  sourceIp: null,
  userAgent: null,
};

async function claimDuePolicy(db: Db, now: Date): Promise<string | null> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ vclusterId: string; schedule: string }[]>`
      SELECT "vclusterId", schedule FROM "SnapshotPolicy"
       WHERE schedule IS NOT NULL AND "nextRunAt" <= ${now}
       ORDER BY "nextRunAt" LIMIT 1 FOR UPDATE SKIP LOCKED`;
    if (!rows[0]) return null;
    await tx.snapshotPolicy.update({
      where: { vclusterId: rows[0].vclusterId },
      data: { nextRunAt: nextRunOf(rows[0].schedule, now) },
    });
    return rows[0].vclusterId;
  });
}

/** Requests every due scheduled snapshot; returns how many runs were due. */
export async function runDueSchedules(db: Db, now = new Date()): Promise<number> {
  let due = 0;
  for (let vclusterId = await claimDuePolicy(db, now); vclusterId; vclusterId = await claimDuePolicy(db, now)) {
    due += 1;
    const id = vclusterId;
    await audited(db, SCHEDULER, { action: "snapshot.create", targetType: "vcluster", targetId: id }, async (tx) => {
      const vcluster = await tx.vCluster.findUniqueOrThrow({ where: { id } });
      const { snapshot } = await requestSnapshot(tx, vcluster, undefined, null);
      return {
        value: snapshot.id,
        audit: {
          targetName: vcluster.name,
          projectId: vcluster.projectId,
          after: { snapshotId: snapshot.id, scheduled: true },
        },
      };
    }).catch((error: unknown) =>
      logger().warn({ err: error, vclusterId: id }, "scheduled snapshot refused; the next run tries again"),
    );
  }
  return due;
}
