/**
 * The webhook commands of a project's owners, each audited in its own transaction like every other service's:
 * the change and its audit row commit together, and a refusal is audited as REFUSED.
 */
import { env } from "@/server/env";
import { audited } from "../audit/write-audit";
import type { ServiceContext } from "../service-context";
import {
  auditableWebhook,
  createWebhook,
  deleteWebhook,
  queueTestDelivery,
  updateWebhook,
  type WebhookView,
} from "./webhooks";

export function createProjectWebhook(
  { db, auditActor }: ServiceContext,
  projectId: string,
  input: { url: string; events: string[]; active?: boolean },
): Promise<{ webhook: WebhookView; secret: string }> {
  return audited(db, auditActor, { action: "webhook.create", targetType: "webhook", projectId }, async (tx) => {
    const created = await createWebhook(tx, env().HOST_CREDENTIALS_KEY, projectId, input);
    return { value: created, audit: { targetId: created.webhook.id, after: auditableWebhook(created.webhook) } };
  });
}

export function updateProjectWebhook(
  { db, auditActor }: ServiceContext,
  projectId: string,
  { id, ...input }: { id: string; url?: string; events?: string[]; active?: boolean },
): Promise<WebhookView> {
  return audited(
    db,
    auditActor,
    { action: "webhook.update", targetType: "webhook", targetId: id, projectId },
    async (tx) => {
      const { before, after } = await updateWebhook(tx, projectId, id, input);
      return { value: after, audit: { before: auditableWebhook(before), after: auditableWebhook(after) } };
    },
  );
}

export function deleteProjectWebhook(
  { db, auditActor }: ServiceContext,
  projectId: string,
  id: string,
): Promise<{ id: string }> {
  return audited(
    db,
    auditActor,
    { action: "webhook.delete", targetType: "webhook", targetId: id, projectId },
    async (tx) => {
      const before = await deleteWebhook(tx, projectId, id);
      return { value: { id: before.id }, audit: { before: auditableWebhook(before) } };
    },
  );
}

export function testProjectWebhook(
  { db, auditActor }: ServiceContext,
  projectId: string,
  id: string,
): Promise<{ deliveryId: string }> {
  return audited(
    db,
    auditActor,
    { action: "webhook.test", targetType: "webhook", targetId: id, projectId },
    async (tx) => {
      const { deliveryId } = await queueTestDelivery(tx, projectId, id);
      return { value: { deliveryId }, audit: { after: { deliveryId } } };
    },
  );
}
