import { z } from "zod";
import { createVCluster } from "@/server/services/vclusters/create-vcluster";
import { dryRunVCluster } from "@/server/services/vclusters/dry-run-vcluster";
import { getVCluster } from "@/server/services/vclusters/get-vcluster";
import { listKubeAccess, revokeKubeAccess } from "@/server/services/kube-access/kube-access";
import { directKubeconfig } from "@/server/services/vclusters/direct-kubeconfig";
import { downloadKubeconfig, rotateKubeconfig } from "@/server/services/vclusters/kubeconfig";
import {
  deleteVCluster,
  recoverVCluster,
  resumeVCluster,
  scaleVCluster,
  suspendVCluster,
  updateVCluster,
  upgradeVClusterChart,
} from "@/server/services/vclusters/lifecycle";
import { createSnapshot, restoreVCluster } from "@/server/services/snapshots/snapshots";
import { listVClusters } from "@/server/services/vclusters/list-vclusters";
import { createVClusterInputSchema, labelsSchema, MAX_REPLICAS, specSchema } from "@/server/universal/vcluster-spec";
import { createTRPCRouter, mutation, query } from "../trpc";
import { snapshotNameSchema } from "./snapshot-schemas";
import {
  dryRunSchema,
  idInput,
  kubeAccessRowSchema,
  kubeconfigSchema,
  listInputSchema,
  requestedChangeSchema,
  vclusterDetailSchema,
} from "./vcluster-schemas";
import { watchProcedure } from "./vcluster-watch";
import { rowSchema, vclusterViewSchema } from "@/server/universal/vcluster-view";

const idempotencyKey = z.string().min(8, "idempotencyKey must be at least 8 characters").max(128).optional();

export const vclusterRouter = createTRPCRouter({
  create: mutation({
    scope: { project: "MEMBER" },
    audit: { action: "vcluster.create", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/projects/{projectId}/vclusters",
      operationId: "createVCluster",
      summary: "Create a vcluster in a project",
      tags: ["vclusters"],
    },
  })
    .input(createVClusterInputSchema)
    .output(z.object({ vcluster: vclusterViewSchema, operationId: z.string(), replayed: z.boolean() }))
    .mutation(({ ctx, input }) => createVCluster(ctx.service, input)),
  // POST because the request is a whole create body; it writes nothing, so it is a query and is not audited
  dryRun: query({
    scope: { project: "MEMBER" },
    openapi: {
      method: "POST",
      path: "/projects/{projectId}/vclusters/dry-run",
      operationId: "dryRunVCluster",
      summary: "The values file, chart and host a create would use, after the same checks; creates nothing",
      tags: ["vclusters"],
    },
  })
    .input(createVClusterInputSchema.omit({ idempotencyKey: true }).strict())
    .output(dryRunSchema)
    .query(({ ctx, input }) => dryRunVCluster(ctx.service, input)),
  get: query({
    scope: { vcluster: "VIEWER", key: "id" },
    limit: "hostReads",
    openapi: {
      method: "GET",
      path: "/vclusters/{id}",
      operationId: "getVCluster",
      summary: "Get a vcluster with its operations and events",
      tags: ["vclusters"],
    },
  })
    .input(idInput)
    .output(vclusterDetailSchema)
    .query(({ ctx, input }) => getVCluster(ctx.service, input.id)),
  list: query({ scope: "self" })
    .input(listInputSchema)
    .output(z.object({ items: z.array(rowSchema), nextCursor: z.string().nullable(), total: z.number().int() }))
    .query(({ ctx, input }) => listVClusters(ctx.db, ctx.actor, input)),
  update: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.update", targetType: "vcluster" },
    openapi: {
      method: "PATCH",
      path: "/vclusters/{id}",
      operationId: "updateVCluster",
      summary: "Change a vcluster's spec and labels",
      tags: ["vclusters"],
    },
  })
    .input(idInput.extend({ spec: specSchema, labels: labelsSchema.optional() }))
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => updateVCluster(ctx.service, input)),
  scale: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.scale", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/scale",
      operationId: "scaleVCluster",
      summary: "Change the control plane replicas",
      tags: ["vclusters"],
    },
  })
    .input(
      idInput.extend({
        replicas: z
          .number()
          .int("replicas must be a whole number")
          .min(1, "replicas must be at least 1")
          .max(MAX_REPLICAS, `replicas may be at most ${MAX_REPLICAS}`),
        idempotencyKey,
      }),
    )
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => scaleVCluster(ctx.service, input)),
  suspend: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.suspend", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/suspend",
      operationId: "suspendVCluster",
      summary: "Suspend a vcluster, optionally after a snapshot",
      tags: ["vclusters"],
    },
  })
    .input(idInput.extend({ snapshotFirst: z.boolean().default(false) }))
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => suspendVCluster(ctx.service, input)),
  resume: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.resume", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/resume",
      operationId: "resumeVCluster",
      summary: "Resume a suspended vcluster",
      tags: ["vclusters"],
    },
  })
    .input(idInput)
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => resumeVCluster(ctx.service, input)),
  recover: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.recover", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/recover",
      operationId: "recoverVCluster",
      summary: "Retry a vcluster in ERROR",
      tags: ["vclusters"],
    },
  })
    .input(idInput)
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => recoverVCluster(ctx.service, input)),
  upgradeChart: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.upgrade_chart", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/upgrade-chart",
      operationId: "upgradeVClusterChart",
      summary: "Move a vcluster to the chart version its host pins (helm upgrade)",
      tags: ["vclusters"],
    },
  })
    .input(idInput.extend({ chartVersion: z.string().min(1, "chartVersion is required") }))
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => upgradeVClusterChart(ctx.service, input)),
  delete: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.delete", targetType: "vcluster" },
    openapi: {
      method: "DELETE",
      path: "/vclusters/{id}",
      operationId: "deleteVCluster",
      summary: "Delete a vcluster (confirmName must be its name)",
      tags: ["vclusters"],
    },
  })
    .input(
      idInput.extend({
        confirmName: z.string().min(1, "confirmName: type the vcluster's name to confirm"),
        force: z.boolean().default(false),
      }),
    )
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) => deleteVCluster(ctx.service, input)),
  snapshot: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "snapshot.create", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/snapshots",
      operationId: "snapshotVCluster",
      summary: "Take a snapshot of a vcluster",
      tags: ["snapshots"],
    },
  })
    .input(idInput.extend({ name: snapshotNameSchema.optional() }))
    .output(requestedChangeSchema)
    .mutation(async ({ ctx, input }) => {
      const { vcluster, operationId } = await createSnapshot(ctx.service, { vclusterId: input.id, name: input.name });
      return { vcluster, operationId };
    }),
  restore: mutation({
    scope: { vcluster: "MEMBER", key: "id" },
    audit: { action: "vcluster.restore", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/restore",
      operationId: "restoreVCluster",
      summary: "Restore a vcluster from one of its snapshots",
      tags: ["snapshots"],
    },
  })
    .input(
      idInput.extend({ snapshotId: z.string().min(1, "snapshotId is required"), prune: z.boolean().default(false) }),
    )
    .output(requestedChangeSchema)
    .mutation(({ ctx, input }) =>
      restoreVCluster(ctx.service, { vclusterId: input.id, snapshotId: input.snapshotId, prune: input.prune }),
    ),
  kubeconfig: mutation({
    scope: { vcluster: "VIEWER", key: "id" },
    audit: { action: "vcluster.kubeconfig_download", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/kubeconfig",
      operationId: "getKubeconfig",
      summary: "Download your kubeconfig: the portal's access gateway with your own token (audited, hence POST)",
      tags: ["vclusters"],
    },
  })
    .input(idInput)
    .output(kubeconfigSchema)
    .mutation(({ ctx, input }) => downloadKubeconfig(ctx.service, input.id)),
  rotateKubeconfig: mutation({
    scope: { vcluster: "VIEWER", key: "id" },
    audit: { action: "vcluster.kubeconfig_rotate", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/kubeconfig/rotate",
      operationId: "rotateKubeconfig",
      summary: "Revoke your kubeconfig token for this vcluster and get a new file",
      tags: ["vclusters"],
    },
  })
    .input(idInput)
    .output(kubeconfigSchema)
    .mutation(({ ctx, input }) => rotateKubeconfig(ctx.service, input.id)),
  directKubeconfig: mutation({
    scope: { vcluster: "OWNER", key: "id" },
    audit: { action: "vcluster.direct_kubeconfig_download", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/direct-kubeconfig",
      operationId: "getDirectKubeconfig",
      summary:
        "The vcluster's own admin kubeconfig for direct access through its ingress (OWNERs; shared admin credentials)",
      tags: ["vclusters"],
    },
  })
    .input(idInput)
    .output(
      z.object({
        kubeconfig: z.string(),
        server: z.string(),
        reachable: z.boolean(),
        warning: z.string().nullable(),
        fileName: z.string(),
      }),
    )
    .mutation(({ ctx, input }) => directKubeconfig(ctx.service, input.id)),
  kubeAccess: query({
    scope: { vcluster: "VIEWER", key: "id" },
    openapi: {
      method: "GET",
      path: "/vclusters/{id}/kube-access",
      operationId: "listKubeAccess",
      summary: "Live kubeconfig tokens: yours, or everyone's for the project's owners",
      tags: ["vclusters"],
    },
  })
    .input(idInput)
    .output(z.array(kubeAccessRowSchema))
    .query(({ ctx, input }) => listKubeAccess(ctx.service, input.id)),
  revokeKubeAccess: mutation({
    scope: { vcluster: "VIEWER", key: "id" },
    audit: { action: "vcluster.kube_token_revoke", targetType: "vcluster" },
    openapi: {
      method: "POST",
      path: "/vclusters/{id}/kube-access/{tokenId}/revoke",
      operationId: "revokeKubeAccess",
      summary: "Revoke a kubeconfig token (your own, or anyone's for owners); it stops at its next request",
      tags: ["vclusters"],
    },
  })
    .input(idInput.extend({ tokenId: z.string().min(1, "tokenId is required") }))
    .output(z.object({ revoked: z.boolean() }))
    .mutation(({ ctx, input }) => revokeKubeAccess(ctx.service, input)),
  watch: watchProcedure,
});
