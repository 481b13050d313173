/**
 * Notifications and webhook deliveries for what happened: a vcluster event when the outbox is consumed, a quota
 * threshold inside the transaction that crossed it. Either way they commit with their cause, or not at all.
 */
import type { Tx } from "@/server/db/client";
import type { VClusterEvent } from "@/server/engine/events/outbox";
import { createNotifications } from "./notifications";
import { enqueueWebhookEvent } from "./webhook-events";

/** The engine's vcluster events (server/engine/events/outbox.ts), recorded here when the outbox is consumed. */
export type ClusterEvent = VClusterEvent;

export interface QuotaThresholdEvent {
  projectId: string;
  /** e.g. `vclusters`, `cpu`, `memory`, `storage`, `snapshots` */
  resource: string;
  used: number;
  limit: number;
  percent: 80 | 100;
}

export interface RecordedEvent {
  notified: number;
  deliveries: number;
}

const QUOTA_KIND = "quota.threshold";
const QUOTA_REPEAT_MS = 24 * 3_600_000;
const QUOTA_LOCK_NAMESPACE = 72_707_371;

/** Notifies the project's OWNER and MEMBER users and the cluster's owner, and queues `vcluster.<kind>` webhooks. */
export async function recordClusterEvent(tx: Tx, event: ClusterEvent): Promise<RecordedEvent> {
  const members = await tx.membership.findMany({
    where: { projectId: event.projectId, role: { in: ["OWNER", "MEMBER"] } },
    select: { userId: true },
  });
  const failed = event.kind === "failed";
  const detail = event.message ? `: ${event.message}` : "";
  const notified = await createNotifications(tx, [event.ownerId, ...members.map((m) => m.userId)], {
    kind: `vcluster.${event.kind}`,
    title: failed ? `${event.vclusterName} failed` : `${event.vclusterName} is ${event.phase.toLowerCase()}`,
    body: failed
      ? `Virtual cluster ${event.vclusterName} failed in phase ${event.phase}${detail}`
      : `Virtual cluster ${event.vclusterName} is now ${event.phase}${detail}`,
    link: `/projects/${event.projectId}/vclusters/${event.vclusterId}`,
    projectId: event.projectId,
  });
  const deliveries = await enqueueWebhookEvent(
    tx,
    event.projectId,
    failed ? "vcluster.failed" : "vcluster.phase_changed",
    {
      vcluster: { id: event.vclusterId, name: event.vclusterName, phase: event.phase, ownerId: event.ownerId },
      message: event.message ?? null,
    },
  );
  return { notified, deliveries };
}

/**
 * Tells the project's owners a quota reached 80 % or 100 %, once per crossing: an owner who still has an unread
 * notice of the same resource and level from the last 24 hours is not told again, and webhooks fire only when
 * someone was told (or, in a project without owners, once a day).
 */
export async function recordQuotaThreshold(
  tx: Tx,
  event: QuotaThresholdEvent,
  now = new Date(),
): Promise<RecordedEvent> {
  // Concurrent requests crossing the same threshold serialise here, so the duplicate check below sees the first one.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${QUOTA_LOCK_NAMESPACE}::int, hashtext(${`${event.projectId}/${event.resource}/${event.percent}`}))`;
  const title = `${event.resource} quota at ${event.percent} %`;
  const since = new Date(now.getTime() - QUOTA_REPEAT_MS);
  const owners = await tx.membership.findMany({
    where: { projectId: event.projectId, role: "OWNER" },
    select: { userId: true },
  });
  const alreadyTold = await tx.notification.findMany({
    where: {
      projectId: event.projectId,
      kind: QUOTA_KIND,
      title,
      readAt: null,
      createdAt: { gte: since },
      userId: { in: owners.map((o) => o.userId) },
    },
    select: { userId: true },
  });
  const told = new Set(alreadyTold.map((n) => n.userId));
  const toTell = owners.map((o) => o.userId).filter((id) => !told.has(id));
  const notified = await createNotifications(tx, toTell, {
    kind: QUOTA_KIND,
    title,
    body: `The project uses ${event.used} of ${event.limit} ${event.resource} (${event.percent} % of its quota).${event.percent === 100 ? " New requests that need more are refused." : ""}`,
    link: `/projects/${event.projectId}`,
    projectId: event.projectId,
  });
  let deliveries = 0;
  const recentDelivery =
    owners.length === 0 &&
    (await tx.webhookDelivery.count({
      where: {
        webhook: { projectId: event.projectId },
        event: QUOTA_KIND,
        createdAt: { gte: since },
        AND: [
          { payload: { path: ["data", "resource"], equals: event.resource } },
          { payload: { path: ["data", "percent"], equals: event.percent } },
        ],
      },
    })) > 0;
  if (notified > 0 || (owners.length === 0 && !recentDelivery)) {
    deliveries = await enqueueWebhookEvent(tx, event.projectId, QUOTA_KIND, {
      resource: event.resource,
      used: event.used,
      limit: event.limit,
      percent: event.percent,
    });
  }
  return { notified, deliveries };
}
