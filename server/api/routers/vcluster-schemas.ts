import { z } from "zod";
import { phaseSchema } from "../schemas";
import { operationViewSchema, vclusterViewSchema } from "@/server/universal/vcluster-view";

export const vclusterDetailSchema = vclusterViewSchema.extend({
  operations: z.array(operationViewSchema),
  events: z.array(
    z.object({
      type: z.enum(["Normal", "Warning"]),
      reason: z.string(),
      message: z.string(),
      object: z.string(),
      lastSeen: z.string(),
      count: z.number().int(),
    }),
  ),
  hostError: z.string().nullable(),
  pinnedChartVersion: z.string().nullable(),
  directKubeconfigOffered: z
    .boolean()
    .describe("the caller may download the vcluster's own admin kubeconfig for direct access"),
});

export const requestedChangeSchema = z.object({ vcluster: vclusterViewSchema, operationId: z.string() });

export const listInputSchema = z.object({
  projectId: z.string().min(1).optional(),
  phases: z.array(phaseSchema).max(11).optional(),
  labelSelector: z.string().max(1000, "labelSelector may be at most 1000 characters").optional(),
  search: z.string().max(63, "search may be at most 63 characters").optional(),
  sort: z.enum(["name", "createdAt", "phase"]).default("name"),
  order: z.enum(["asc", "desc"]).default("asc"),
  limit: z.number().int().min(1, "limit must be at least 1").max(200, "limit may be at most 200").default(50),
  cursor: z.string().min(1).max(64).optional(),
});

export const idInput = z.object({ id: z.string().min(1, "id is required").max(64) });

export const dryRunSchema = z.object({
  values: z.string().describe("the values file helm upgrade --install would get"),
  chart: z.object({ ref: z.string(), version: z.string() }),
  hostCluster: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .describe("the host the scheduler would pick now; null while none is registered"),
});

export const kubeconfigSchema = z.object({
  kubeconfig: z.string(),
  server: z.string().describe("the portal's access gateway for this vcluster"),
  reachable: z.boolean(),
  warning: z.string().nullable(),
  vclusterName: z.string(),
  fileName: z.string(),
  tokenPrefix: z.string().describe("the public prefix of your token, as the access list shows it"),
});

export const kubeAccessRowSchema = z.object({
  id: z.string(),
  prefix: z.string(),
  userId: z.string(),
  email: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  mine: z.boolean(),
});
