import { z } from "zod";
import { createApiToken, listApiTokens, revokeApiToken } from "@/server/services/api-tokens";
import { createTRPCRouter, mutation, query } from "../trpc";
import { idSchema } from "../schemas";

const tokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export const apiTokenRouter = createTRPCRouter({
  create: mutation({ scope: "self", audit: { action: "token.create", targetType: "apiToken" } })
    .input(
      z.object({
        name: z.string().trim().min(1, "name is required").max(64, "name may be at most 64 characters"),
        expiresInDays: z.number().int().nullable().default(90),
      }),
    )
    .output(z.object({ token: z.string(), view: tokenViewSchema }))
    .mutation(({ ctx, input }) => createApiToken(ctx.db, ctx.actor, input)),
  list: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/tokens",
      operationId: "listApiTokens",
      summary: "List your API tokens",
      tags: ["tokens"],
    },
  })
    .output(z.array(tokenViewSchema))
    .query(({ ctx }) => listApiTokens(ctx.db, ctx.actor)),
  revoke: mutation({
    scope: "self",
    audit: { action: "token.revoke", targetType: "apiToken" },
    openapi: {
      method: "POST",
      path: "/tokens/{id}/revoke",
      operationId: "revokeApiToken",
      summary: "Revoke one of your API tokens",
      tags: ["tokens"],
    },
  })
    .input(z.object({ id: idSchema }))
    .output(tokenViewSchema)
    .mutation(({ ctx, input }) => revokeApiToken(ctx.db, ctx.actor, input.id)),
});
