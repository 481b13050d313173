import type { Prisma } from "@/server/generated/prisma/client";
import type { Tx } from "@/server/db/client";
import type { WebhookEvent } from "@/server/universal/webhook-events";

/** The body every receiver gets: the event name again (headers get lost in proxies and logs), when, where, what. */
export function webhookPayload(
  event: WebhookEvent,
  projectId: string,
  data: Record<string, unknown>,
  now = new Date(),
): Prisma.InputJsonObject {
  return JSON.parse(
    JSON.stringify({ event, occurredAt: now.toISOString(), projectId, data }),
  ) as Prisma.InputJsonObject;
}

/** Queues one delivery per active webhook of the project subscribed to `event`; the dispatcher sends them after commit. */
export async function enqueueWebhookEvent(
  tx: Tx,
  projectId: string,
  event: WebhookEvent,
  data: Record<string, unknown>,
): Promise<number> {
  const hooks = await tx.webhook.findMany({
    where: { projectId, active: true, events: { has: event } },
    select: { id: true },
  });
  if (hooks.length === 0) return 0;
  const payload = webhookPayload(event, projectId, data);
  const { count } = await tx.webhookDelivery.createMany({
    data: hooks.map((h) => ({ webhookId: h.id, event, payload })),
  });
  return count;
}
