import type { Db } from "@/server/db/client";
import { invalidField, notFound } from "@/server/universal/errors";

export interface DeliveryAttemptView {
  attempt: number;
  at: Date;
  responseCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryView {
  id: string;
  event: string;
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  failedAt: Date | null;
  responseCode: number | null;
  lastError: string | null;
  createdAt: Date;
  attemptLog: DeliveryAttemptView[];
}

/** The delivery log of one webhook, newest first, each with every attempt's outcome. */
export async function listWebhookDeliveries(
  db: Db,
  projectId: string,
  webhookId: string,
  page: { cursor?: string; limit: number },
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  if (!(await db.webhook.count({ where: { id: webhookId, projectId } }))) throw notFound("webhook");
  if (page.cursor && !(await db.webhookDelivery.count({ where: { id: page.cursor, webhookId } }))) {
    throw invalidField("cursor", "must be the nextCursor of a previous page");
  }
  const rows = await db.webhookDelivery.findMany({
    where: { webhookId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
    select: {
      id: true,
      event: true,
      attempts: true,
      nextAttemptAt: true,
      deliveredAt: true,
      failedAt: true,
      responseCode: true,
      lastError: true,
      createdAt: true,
      attemptLog: {
        orderBy: { attempt: "asc" },
        select: { attempt: true, at: true, responseCode: true, error: true, durationMs: true },
      },
    },
  });
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
}
