import { z } from "zod";
import { getMe } from "@/server/services/users";
import { createTRPCRouter, signedInProcedure } from "../trpc";
import { roleSchema } from "../schemas";

const meSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  isPlatformAdmin: z.boolean(),
  viaToken: z.boolean(),
  memberships: z.array(z.object({ projectId: z.string(), projectName: z.string(), role: roleSchema })),
});

export const meRouter = createTRPCRouter({
  get: signedInProcedure
    .meta({ openapi: { method: "GET", path: "/me", operationId: "getMe", summary: "Who the token belongs to", tags: ["projects"] } })
    .output(meSchema).query(({ ctx }) => getMe(ctx.db, ctx.actor)),
});
