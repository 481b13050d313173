import { Cron } from "croner";
import { invalidField } from "@/server/universal/errors";
import { audited } from "@/server/services/audit/write-audit";
import { vclusterFor } from "../vclusters/access";
import type { ServiceContext } from "@/server/services/service-context";

export interface SnapshotPolicyView {
  vclusterId: string;
  keepLast: number | null;
  schedule: string | null;
  nextRunAt: Date | null;
}

/** The next run of a five-field cron expression, in UTC; INVALID naming the field when it does not parse. */
export function nextRunOf(schedule: string, after = new Date()): Date {
  if (schedule.trim().split(/\s+/).length !== 5)
    throw invalidField(
      "schedule",
      "must be a five-field cron expression (minute hour day month weekday), e.g. 0 3 * * *",
    );
  let next: Date | null;
  try {
    next = new Cron(schedule, { timezone: "UTC", paused: true }).nextRun(after);
  } catch (error) {
    throw invalidField("schedule", `is not a valid cron expression (${(error as Error).message})`);
  }
  if (!next) throw invalidField("schedule", "never fires");
  return next;
}

export async function getSnapshotPolicy(
  { db, actor }: ServiceContext,
  vclusterId: string,
): Promise<SnapshotPolicyView> {
  await vclusterFor(db, actor, vclusterId, "VIEWER");
  const policy = await db.snapshotPolicy.findUnique({ where: { vclusterId } });
  return {
    vclusterId,
    keepLast: policy?.keepLast ?? null,
    schedule: policy?.schedule ?? null,
    nextRunAt: policy?.nextRunAt ?? null,
  };
}

export function setSnapshotPolicy(
  { db, actor, auditActor }: ServiceContext,
  { vclusterId, ...input }: { vclusterId: string; keepLast: number | null; schedule: string | null },
): Promise<SnapshotPolicyView> {
  const nextRunAt = input.schedule ? nextRunOf(input.schedule) : null;
  return audited(
    db,
    auditActor,
    { action: "snapshot.policy_set", targetType: "vcluster", targetId: vclusterId },
    async (tx) => {
      const { vcluster } = await vclusterFor(tx, actor, vclusterId, "MEMBER");
      const before = await tx.snapshotPolicy.findUnique({ where: { vclusterId } });
      const data = { keepLast: input.keepLast, schedule: input.schedule, nextRunAt };
      await tx.snapshotPolicy.upsert({ where: { vclusterId }, create: { vclusterId, ...data }, update: data });
      return {
        value: { vclusterId, ...data },
        audit: {
          targetName: vcluster.name,
          projectId: vcluster.projectId,
          before: before ? { keepLast: before.keepLast, schedule: before.schedule } : null,
          after: { keepLast: input.keepLast, schedule: input.schedule },
        },
      };
    },
  );
}
