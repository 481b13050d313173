import { z } from "zod";
import { listWebhookDeliveries } from "@/server/services/notify/webhook-deliveries";
import { WEBHOOK_EVENTS } from "@/server/universal/webhook-events";
import { listWebhooks } from "@/server/services/notify/webhooks";
import {
  createProjectWebhook,
  deleteProjectWebhook,
  testProjectWebhook,
  updateProjectWebhook,
} from "@/server/services/notify/webhook-commands";
import { idSchema } from "../schemas";
import { createTRPCRouter, mutation, query } from "../trpc";

const webhookSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

const urlSchema = z.string().trim().min(1, "url is required").max(2048, "url may be at most 2048 characters");
const eventsSchema = z.array(z.enum(WEBHOOK_EVENTS)).min(1, "subscribe to at least one event");

const attemptSchema = z.object({
  attempt: z.number().int(),
  at: z.date(),
  responseCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});
const deliverySchema = z.object({
  id: z.string(),
  event: z.string(),
  attempts: z.number().int(),
  nextAttemptAt: z.date(),
  deliveredAt: z.date().nullable(),
  failedAt: z.date().nullable(),
  responseCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  attemptLog: z.array(attemptSchema),
});

export const webhookRouter = createTRPCRouter({
  create: mutation({
    scope: { project: "OWNER" },
    audit: { action: "webhook.create", targetType: "webhook" },
    openapi: {
      method: "POST",
      path: "/projects/{projectId}/webhooks",
      operationId: "createWebhook",
      summary: "Create a webhook (the signing secret is shown once)",
      tags: ["webhooks"],
    },
  })
    .input(z.object({ url: urlSchema, events: eventsSchema, active: z.boolean().default(true) }))
    .output(z.object({ webhook: webhookSchema, secret: z.string() }))
    .mutation(({ ctx, input }) => createProjectWebhook(ctx.service, ctx.project.id, input)),
  list: query({
    scope: { project: "OWNER" },
    openapi: {
      method: "GET",
      path: "/projects/{projectId}/webhooks",
      operationId: "listWebhooks",
      summary: "List a project's webhooks",
      tags: ["webhooks"],
    },
  })
    .output(z.array(webhookSchema))
    .query(({ ctx }) => listWebhooks(ctx.db, ctx.project.id)),
  update: mutation({
    scope: { project: "OWNER" },
    audit: { action: "webhook.update", targetType: "webhook" },
    openapi: {
      method: "PATCH",
      path: "/projects/{projectId}/webhooks/{id}",
      operationId: "updateWebhook",
      summary: "Change a webhook's URL, events or active flag",
      tags: ["webhooks"],
    },
  })
    .input(
      z.object({
        id: idSchema,
        url: urlSchema.optional(),
        events: eventsSchema.optional(),
        active: z.boolean().optional(),
      }),
    )
    .output(webhookSchema)
    .mutation(({ ctx, input }) => updateProjectWebhook(ctx.service, ctx.project.id, input)),
  delete: mutation({
    scope: { project: "OWNER" },
    audit: { action: "webhook.delete", targetType: "webhook" },
    openapi: {
      method: "DELETE",
      path: "/projects/{projectId}/webhooks/{id}",
      operationId: "deleteWebhook",
      summary: "Delete a webhook",
      tags: ["webhooks"],
    },
  })
    .input(z.object({ id: idSchema }))
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => deleteProjectWebhook(ctx.service, ctx.project.id, input.id)),
  deliveries: query({
    scope: { project: "OWNER" },
    openapi: {
      method: "GET",
      path: "/projects/{projectId}/webhooks/{webhookId}/deliveries",
      operationId: "listWebhookDeliveries",
      summary: "List a webhook's deliveries with their attempts",
      tags: ["webhooks"],
    },
  })
    .input(
      z.object({
        webhookId: idSchema,
        cursor: idSchema.optional(),
        limit: z.number().int().min(1).max(100).default(20),
      }),
    )
    .output(z.object({ items: z.array(deliverySchema), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listWebhookDeliveries(ctx.db, ctx.project.id, input.webhookId, input)),
  test: mutation({
    scope: { project: "OWNER" },
    audit: { action: "webhook.test", targetType: "webhook" },
    openapi: {
      method: "POST",
      path: "/projects/{projectId}/webhooks/{id}/test",
      operationId: "testWebhook",
      summary: "Queue a test delivery",
      tags: ["webhooks"],
    },
  })
    .input(z.object({ id: idSchema }))
    .output(z.object({ deliveryId: z.string() }))
    .mutation(({ ctx, input }) => testProjectWebhook(ctx.service, ctx.project.id, input.id)),
});
