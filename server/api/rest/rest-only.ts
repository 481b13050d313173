/**
 * The two REST operations whose tRPC counterparts cannot be published as they are: `vcluster.list` takes `phases` as
 * an array (not a query parameter) and its project is optional (not a path segment), and `snapshot.list` returns
 * byte sizes as bigints (not JSON). Same procedure kinds, same services; only the shape at the edge differs.
 */
import { z } from "zod";
import { listSnapshots } from "@/server/services/snapshots/snapshots";
import { listVClusters } from "@/server/services/vclusters/list-vclusters";
import { phaseSchema } from "../schemas";
import { snapshotViewSchema } from "../routers/snapshot-schemas";
import { idInput, listInputSchema, rowSchema } from "../routers/vcluster-schemas";
import { createTRPCRouter, projectProcedure, signedInProcedure } from "../trpc";

const limit = z.number().int().min(1, "limit must be at least 1").max(200, "limit may be at most 200").default(50);
export const restSnapshotSchema = snapshotViewSchema.extend({ sizeBytes: z.string().regex(/^\d+$/).nullable().describe("size in bytes, as a decimal string (it may exceed 2^53)") });

export const restOnlyRouter = createTRPCRouter({
  listProjectVClusters: projectProcedure("VIEWER")
    .meta({ openapi: { method: "GET", path: "/projects/{projectId}/vclusters", operationId: "listVClusters", summary: "List a project's vclusters", tags: ["vclusters"] } })
    .input(
      z.object({
        phase: phaseSchema.optional(),
        search: listInputSchema.shape.search,
        sort: listInputSchema.shape.sort,
        order: listInputSchema.shape.order,
        limit,
        cursor: listInputSchema.shape.cursor,
      }),
    )
    .output(z.object({ items: z.array(rowSchema), nextCursor: z.string().nullable(), total: z.number().int() }))
    .query(({ ctx, input: { phase, ...rest } }) => listVClusters(ctx.db, ctx.actor, { ...rest, phases: phase ? [phase] : undefined })),
  listVClusterSnapshots: signedInProcedure
    .meta({ openapi: { method: "GET", path: "/vclusters/{id}/snapshots", operationId: "listSnapshots", summary: "List a vcluster's snapshots", tags: ["snapshots"] } })
    .input(idInput.extend({ limit }))
    .output(z.array(restSnapshotSchema))
    .query(async ({ ctx, input }) => {
      const snapshots = await listSnapshots(ctx.db, ctx.actor, { vclusterId: input.id, limit: input.limit });
      return snapshots.map((s) => ({ ...s, sizeBytes: s.sizeBytes === null ? null : s.sizeBytes.toString() }));
    }),
});
