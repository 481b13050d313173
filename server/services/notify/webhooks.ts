/**
 * Per-project webhooks. The signing secret is generated here, returned once at creation and stored sealed under
 * HOST_CREDENTIALS_KEY; views never carry it.
 */
import { randomBytes } from "node:crypto";
import { checkWebhookAddress } from "./webhook-target";
import type { Db, Tx } from "@/server/db/client";
import { AppError, invalidField, notFound } from "@/server/universal/errors";
import type { Webhook } from "@/server/generated/prisma/client";
import { seal } from "@/server/security/seal";
import { WEBHOOK_EVENTS, type WebhookEvent } from "@/server/universal/webhook-events";
import { webhookPayload } from "./webhook-events";

export type WebhookView = Pick<Webhook, "id" | "projectId" | "url" | "events" | "active" | "createdAt" | "updatedAt">;

const VIEW = {
  id: true,
  projectId: true,
  url: true,
  events: true,
  active: true,
  createdAt: true,
  updatedAt: true,
} as const;

export const MAX_WEBHOOKS_PER_PROJECT = 20;

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField("url", "must be an absolute http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalidField("url", "must use http:// or https://");
  if (url.username || url.password)
    throw invalidField("url", "may not carry credentials; the signature authenticates the portal");
  return url.toString();
}

/** For the audit trail: some receivers put their own access token in the query string, which must not be copied there. */
export function auditableWebhook(view: WebhookView): WebhookView {
  const url = new URL(view.url);
  url.search = url.search ? "?…" : "";
  return { ...view, url: url.toString() };
}

function checkEvents(events: string[]): WebhookEvent[] {
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (unknown.length)
    throw invalidField("events", `unknown event ${unknown.join(", ")}; known: ${WEBHOOK_EVENTS.join(", ")}`);
  if (events.length === 0) throw invalidField("events", "subscribe to at least one event");
  return [...new Set(events)] as WebhookEvent[];
}

async function webhookOf(tx: Tx | Db, projectId: string, id: string): Promise<WebhookView> {
  const hook = await tx.webhook.findFirst({ where: { id, projectId }, select: VIEW });
  if (!hook) throw notFound("webhook");
  return hook;
}

export async function createWebhook(
  tx: Tx,
  credentialsKey: string,
  projectId: string,
  input: { url: string; events: string[]; active?: boolean },
): Promise<{ webhook: WebhookView; secret: string }> {
  const url = checkWebhookUrl(input.url);
  await checkWebhookAddress(new URL(url));
  const events = checkEvents(input.events);
  if ((await tx.webhook.count({ where: { projectId } })) >= MAX_WEBHOOKS_PER_PROJECT) {
    throw new AppError("PRECONDITION_FAILED", `a project may have at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks`);
  }
  const secret = generateWebhookSecret();
  const webhook = await tx.webhook.create({
    data: { projectId, url, events, active: input.active ?? true, secretEncrypted: seal(secret, credentialsKey) },
    select: VIEW,
  });
  return { webhook, secret };
}

export async function listWebhooks(db: Db, projectId: string): Promise<WebhookView[]> {
  return db.webhook.findMany({ where: { projectId }, orderBy: { createdAt: "asc" }, select: VIEW });
}

export async function updateWebhook(
  tx: Tx,
  projectId: string,
  id: string,
  input: { url?: string; events?: string[]; active?: boolean },
): Promise<{ before: WebhookView; after: WebhookView }> {
  const before = await webhookOf(tx, projectId, id);
  if (input.url !== undefined) await checkWebhookAddress(new URL(checkWebhookUrl(input.url)));
  const after = await tx.webhook.update({
    where: { id },
    data: {
      url: input.url === undefined ? undefined : checkWebhookUrl(input.url),
      events: input.events === undefined ? undefined : checkEvents(input.events),
      active: input.active,
    },
    select: VIEW,
  });
  return { before, after };
}

export async function deleteWebhook(tx: Tx, projectId: string, id: string): Promise<WebhookView> {
  const hook = await webhookOf(tx, projectId, id);
  await tx.webhook.delete({ where: { id } });
  return hook;
}

/** A `webhook.test` delivery whatever the webhook subscribes to: the button checks the URL and the secret. */
export async function queueTestDelivery(
  tx: Tx,
  projectId: string,
  id: string,
): Promise<{ deliveryId: string; webhook: WebhookView }> {
  const webhook = await webhookOf(tx, projectId, id);
  if (!webhook.active)
    throw new AppError("PRECONDITION_FAILED", "the webhook is disabled; enable it to send a test delivery");
  const delivery = await tx.webhookDelivery.create({
    data: {
      webhookId: id,
      event: "webhook.test",
      payload: webhookPayload("webhook.test", projectId, {
        webhookId: id,
        message: "test delivery from open-vcluster",
      }),
    },
    select: { id: true },
  });
  return { deliveryId: delivery.id, webhook };
}
