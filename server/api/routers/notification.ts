import { z } from "zod";
import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationsRead,
  unreadNotificationCount,
} from "@/server/services/notify/notifications";
import { idSchema } from "../schemas";
import { createTRPCRouter, mutation, query } from "../trpc";

const notificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  projectId: z.string().nullable(),
  readAt: z.date().nullable(),
  createdAt: z.date(),
});

export const notificationRouter = createTRPCRouter({
  list: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/notifications",
      operationId: "listNotifications",
      summary: "List your notifications",
      tags: ["notifications"],
    },
  })
    .input(
      z
        .object({
          unreadOnly: z.boolean().default(false),
          cursor: idSchema.optional(),
          limit: z.number().int().min(1).max(100).default(20),
        })
        .default({ unreadOnly: false, limit: 20 }),
    )
    .output(
      z.object({
        items: z.array(notificationSchema),
        nextCursor: z.string().nullable(),
        unreadCount: z.number().int(),
      }),
    )
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.actor.userId, input)),
  unreadCount: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/notifications/unread-count",
      operationId: "countUnreadNotifications",
      summary: "How many notifications are unread",
      tags: ["notifications"],
    },
  })
    .output(z.object({ unread: z.number().int() }))
    .query(async ({ ctx }) => ({ unread: await unreadNotificationCount(ctx.db, ctx.actor.userId) })),
  markRead: mutation({
    scope: "self",
    audit: { action: "notification.markRead", targetType: "notification" },
    openapi: {
      method: "POST",
      path: "/notifications/read",
      operationId: "markNotificationsRead",
      summary: "Mark notifications read",
      tags: ["notifications"],
    },
  })
    .input(z.object({ ids: z.array(idSchema).min(1, "name at least one notification").max(100) }))
    .output(z.object({ marked: z.number().int() }))
    .mutation(({ ctx, input }) => markNotificationsRead(ctx.service, input.ids)),
  markAllRead: mutation({
    scope: "self",
    audit: { action: "notification.markAllRead", targetType: "notification" },
    openapi: {
      method: "POST",
      path: "/notifications/read-all",
      operationId: "markAllNotificationsRead",
      summary: "Mark all your notifications read",
      tags: ["notifications"],
    },
  })
    .output(z.object({ marked: z.number().int() }))
    .mutation(({ ctx }) => markAllNotificationsRead(ctx.service)),
});
