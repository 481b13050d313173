/**
 * The shapes the API answers with for vclusters, once: the API checks its outputs against them, and the services'
 * types are what they infer, so a field added to one is a field of the other or a compile error.
 */
import { z } from "zod";
import { OperationKind, OperationState } from "@/server/generated/prisma/enums";
import { ACTIONS, PHASES } from "./state-machine";

const phaseSchema = z.enum(PHASES);

export const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});

export const vclusterViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  namespace: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  ownerEmail: z.string(),
  hostClusterName: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  spec: z.unknown(),
  phase: phaseSchema,
  reason: z.string().nullable(),
  message: z.string().nullable(),
  conditions: z.array(conditionSchema),
  kubernetesVersion: z.string(),
  replicas: z.number().int(),
  readyReplicas: z.number().int(),
  apiServerEndpoint: z.string().nullable(),
  chartVersion: z.string().nullable(),
  lastActivityAt: z
    .date()
    .nullable()
    .describe("the last request of a person through the access gateway (watches do not count)"),
  allowedActions: z.array(z.enum(ACTIONS)),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const operationViewSchema = z.object({
  id: z.string(),
  kind: z.enum(OperationKind),
  state: z.enum(OperationState),
  step: z.string().nullable(),
  progress: z.number().int(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  requestedBy: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

export const rowSchema = z.object({
  id: z.string(),
  name: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  phase: phaseSchema,
  kubernetesVersion: z.string(),
  replicas: z.number().int(),
  readyReplicas: z.number().int(),
  hostClusterName: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  createdAt: z.date(),
});

export type VClusterView = z.infer<typeof vclusterViewSchema>;
export type VClusterRow = z.infer<typeof rowSchema>;
