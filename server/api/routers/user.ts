import { z } from "zod";
import { listUsers, revokeSessionsOf } from "@/server/services/users";
import { createTRPCRouter, mutation, query } from "../trpc";

const userRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  isPlatformAdmin: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.date(),
  projectCount: z.number().int(),
  liveSessions: z.number().int(),
});

export const userRouter = createTRPCRouter({
  list: query({
    scope: "platform",
    openapi: {
      method: "GET",
      path: "/users",
      operationId: "listUsers",
      summary: "List all users (platform admins)",
      tags: ["users"],
    },
  })
    .output(z.array(userRowSchema))
    .query(({ ctx }) => listUsers(ctx.db)),
  revokeSessions: mutation({
    scope: "platform",
    audit: { action: "user.sessions_revoke", targetType: "user" },
    openapi: {
      method: "POST",
      path: "/users/{userId}/revoke-sessions",
      operationId: "revokeUserSessions",
      summary: "Sign a person out of every browser session (platform admins)",
      tags: ["users"],
    },
  })
    .input(z.object({ userId: z.string().min(1).max(64) }))
    .output(z.object({ revoked: z.number().int() }))
    .mutation(({ ctx, input }) => revokeSessionsOf(ctx.service, input.userId)),
});
