import { z } from "zod";

export const snapshotViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  vclusterId: z.string().nullable(),
  vclusterName: z.string(),
  projectId: z.string(),
  status: z.enum(["CREATING", "READY", "FAILED", "DELETING"]),
  reason: z.string().nullable(),
  sizeBytes: z.bigint().nullable(),
  objectCount: z.number().int().nullable(),
  checksum: z.string().nullable(),
  storageUri: z.string().nullable(),
  kubernetesVersion: z.string().nullable(),
  counts: z.record(z.string(), z.number().int()),
  createdByEmail: z.string().nullable(),
  createdAt: z.date(),
  completedAt: z.date().nullable(),
});

export const snapshotNameSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "name must be lower-case letters, digits and '-' (DNS-1123)")
  .max(63, "name may be at most 63 characters");

export const restorePlanSchema = z.object({
  create: z.array(z.string()),
  change: z.array(z.string()),
  delete: z.array(z.string()),
});

export const policySchema = z.object({
  vclusterId: z.string(),
  keepLast: z.number().int().nullable(),
  schedule: z.string().nullable(),
  nextRunAt: z.date().nullable(),
});
