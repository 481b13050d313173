import { z } from "zod";
import { getSnapshotPolicy, setSnapshotPolicy } from "@/server/services/snapshots/policy";
import {
  cloneFromSnapshot,
  createSnapshot,
  deleteSnapshot,
  getSnapshot,
  listSnapshots,
  previewVClusterRestore,
  restoreVCluster,
} from "@/server/services/snapshots/snapshots";
import { vclusterNameSchema } from "@/server/universal/vcluster-spec";
import { createTRPCRouter, mutation, query } from "../trpc";
import { policySchema, restorePlanSchema, snapshotNameSchema, snapshotViewSchema } from "./snapshot-schemas";
import { vclusterViewSchema } from "@/server/universal/vcluster-view";
import { requestedChangeSchema } from "./vcluster-schemas";

const id = z.string().min(1, "id is required").max(64);

export const snapshotRouter = createTRPCRouter({
  create: mutation({
    scope: { vcluster: "MEMBER", key: "vclusterId" },
    audit: { action: "snapshot.create", targetType: "vcluster" },
  })
    .input(z.object({ vclusterId: id, name: snapshotNameSchema.optional() }))
    .output(z.object({ snapshot: snapshotViewSchema, vcluster: vclusterViewSchema, operationId: z.string() }))
    .mutation(({ ctx, input }) => createSnapshot(ctx.service, input)),
  list: query({ scope: "self" })
    .input(
      z.object({
        vclusterId: id.optional(),
        projectId: id.optional(),
        limit: z.number().int().min(1, "limit must be at least 1").max(200, "limit may be at most 200").default(50),
      }),
    )
    .output(z.array(snapshotViewSchema))
    .query(({ ctx, input }) => listSnapshots(ctx.service, input)),
  get: query({ scope: { snapshot: "VIEWER", key: "id" } })
    .input(z.object({ id }))
    .output(snapshotViewSchema)
    .query(({ ctx, input }) => getSnapshot(ctx.service, input.id)),
  delete: mutation({
    scope: { snapshot: "MEMBER", key: "id" },
    audit: { action: "snapshot.delete", targetType: "snapshot" },
    openapi: {
      method: "DELETE",
      path: "/snapshots/{id}",
      operationId: "deleteSnapshot",
      summary: "Delete a snapshot and its stored data",
      tags: ["snapshots"],
    },
  })
    .input(z.object({ id }))
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => deleteSnapshot(ctx.service, input.id)),
  restore: mutation({
    scope: { vcluster: "MEMBER", key: "vclusterId" },
    audit: { action: "vcluster.restore", targetType: "vcluster" },
  })
    .input(z.object({ vclusterId: id, snapshotId: id, prune: z.boolean().default(false) }))
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => restoreVCluster(ctx.service, input)),
  preview: query({
    scope: { vcluster: "MEMBER", key: "vclusterId" },
    limit: "hostReads",
    openapi: {
      method: "GET",
      path: "/vclusters/{vclusterId}/restore-preview",
      operationId: "previewRestore",
      summary: "What a restore would create, change and delete",
      tags: ["snapshots"],
    },
  })
    .input(z.object({ vclusterId: id, snapshotId: id, prune: z.boolean().default(false) }))
    .output(restorePlanSchema)
    .query(({ ctx, input }) => previewVClusterRestore(ctx.service, input)),
  clone: mutation({
    scope: { snapshot: "MEMBER", key: "snapshotId" },
    audit: { action: "vcluster.clone", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/snapshots/{snapshotId}/clone",
      operationId: "cloneSnapshot",
      summary: "Create a new vcluster from a snapshot",
      tags: ["snapshots"],
    },
  })
    .input(z.object({ snapshotId: id, name: vclusterNameSchema, projectId: id.optional() }))
    .output(z.object({ vcluster: vclusterViewSchema, operationId: z.string(), replayed: z.boolean() }))
    .mutation(({ ctx, input }) => cloneFromSnapshot(ctx.service, input)),
  policy: query({
    scope: { vcluster: "VIEWER", key: "vclusterId" },
    openapi: {
      method: "GET",
      path: "/vclusters/{vclusterId}/snapshot-policy",
      operationId: "getSnapshotPolicy",
      summary: "A vcluster's snapshot retention and schedule",
      tags: ["snapshots"],
    },
  })
    .input(z.object({ vclusterId: id }))
    .output(policySchema)
    .query(({ ctx, input }) => getSnapshotPolicy(ctx.service, input.vclusterId)),
  setPolicy: mutation({
    scope: { vcluster: "MEMBER", key: "vclusterId" },
    audit: { action: "snapshot.policy_set", targetType: "vcluster" },
    openapi: {
      method: "PUT",
      path: "/vclusters/{vclusterId}/snapshot-policy",
      operationId: "setSnapshotPolicy",
      summary: "Set a vcluster's snapshot retention and cron schedule",
      tags: ["snapshots"],
    },
  })
    .input(
      z.object({
        vclusterId: id,
        keepLast: z
          .number()
          .int()
          .min(1, "keepLast must be at least 1")
          .max(1000, "keepLast may be at most 1000")
          .nullable(),
        schedule: z.string().trim().max(100, "schedule may be at most 100 characters").nullable(),
      }),
    )
    .output(policySchema)
    .mutation(({ ctx, input }) => setSnapshotPolicy(ctx.service, { ...input, schedule: input.schedule || null })),
});
