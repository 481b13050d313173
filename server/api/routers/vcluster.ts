import { z } from "zod";
import { listVClusters } from "@/server/services/vcluster-list";
import { createTRPCRouter, signedInProcedure } from "../trpc";
import { idSchema, phaseSchema } from "../schemas";

const listInput = z.object({
  projectId: idSchema.optional(),
  limit: z.number().int().min(1, "limit must be at least 1").max(200, "limit may be at most 200").default(50),
  cursor: idSchema.optional(),
});

const rowSchema = z.object({
  id: z.string(),
  name: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  phase: phaseSchema,
  kubernetesVersion: z.string(),
  replicas: z.number().int(),
  readyReplicas: z.number().int(),
  hostClusterName: z.string().nullable(),
  createdAt: z.date(),
});

export const vclusterRouter = createTRPCRouter({
  list: signedInProcedure
    .input(listInput)
    .output(z.object({ items: z.array(rowSchema), nextCursor: z.string().nullable(), total: z.number().int() }))
    .query(({ ctx, input }) => listVClusters(ctx.db, ctx.actor, input)),
});
