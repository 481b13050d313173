/**
 * Project quotas. Usage is computed from the database, and checked inside the transaction of the change that would
 * exceed it, under a lock on the project's quota row, so concurrent requests cannot overshoot together.
 */
import type { Db, Tx } from "@/server/db/client";
import { checkCeiling } from "./quota-ceiling";
import { AppError } from "@/server/universal/errors";
import type { Quota } from "@/server/generated/prisma/client";
import { formatCpuMillis, formatMemoryBytes } from "@/server/universal/quantity";
import { audited } from "./audit/write-audit";
import { recordQuotaThreshold } from "./notify/cluster-events";
import type { Claim } from "@/server/universal/claims";
import { CLAIM_SUMS } from "@/server/engine/placement/reservations";
import type { ServiceContext } from "@/server/services/service-context";

/** What a new project may use until an owner or admin says otherwise. */
export const DEFAULT_QUOTA = {
  maxVClusters: 10,
  maxCpuMillis: 32_000,
  maxMemoryBytes: 64n * 1024n ** 3n,
  maxStorageBytes: 500n * 1024n ** 3n,
  maxSnapshots: 50,
};

export interface QuotaUsage {
  vclusters: number;
  cpuMillis: number;
  memoryBytes: bigint;
  storageBytes: bigint;
  snapshots: number;
}

export async function usageOf(db: Db | Tx, projectId: string, excludeVClusterId?: string): Promise<QuotaUsage> {
  const [row] = await db.$queryRaw<
    { vclusters: bigint; cpu: bigint | null; memory: bigint | null; storage: bigint | null }[]
  >`
    SELECT COUNT(*)::bigint AS vclusters,
           ${CLAIM_SUMS}
      FROM "VCluster" WHERE "projectId" = ${projectId} AND id <> ${excludeVClusterId ?? ""}`;
  const snapshots = await db.snapshot.count({ where: { projectId, status: { in: ["CREATING", "READY"] } } });
  return {
    vclusters: Number(row.vclusters),
    cpuMillis: Number(row.cpu ?? 0n),
    memoryBytes: row.memory ?? 0n,
    storageBytes: row.storage ?? 0n,
    snapshots,
  };
}

async function lockQuota(tx: Tx, projectId: string): Promise<Quota | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Quota" WHERE "projectId" = ${projectId} FOR UPDATE`;
  return rows[0] ? tx.quota.findUnique({ where: { projectId } }) : null;
}

/**
 * Refuses with QUOTA_EXCEEDED, naming the resource, when `claim` (replacing `replacing`'s old claim, for a scale or
 * update) would take the project past its quota. A project without a quota row has no limits.
 */
export async function checkQuota(
  tx: Tx,
  projectId: string,
  claim: Claim,
  replacing?: string,
): Promise<{ quota: Quota | null; after: QuotaUsage }> {
  const quota = await lockQuota(tx, projectId);
  const usage = await usageOf(tx, projectId, replacing);
  const after: QuotaUsage = {
    vclusters: usage.vclusters + claim.vclusters,
    cpuMillis: usage.cpuMillis + claim.cpuMillis,
    memoryBytes: usage.memoryBytes + claim.memoryBytes,
    storageBytes: usage.storageBytes + claim.storageBytes,
    snapshots: usage.snapshots,
  };
  if (!quota) return { quota, after };
  const over = (what: string, used: string, limit: string) =>
    new AppError("QUOTA_EXCEEDED", `project quota exceeded: ${what} would be ${used}, the limit is ${limit}`, {
      issues: [{ field: "quota", message: what }],
    });
  if (after.vclusters > quota.maxVClusters)
    throw over("vclusters", String(after.vclusters), String(quota.maxVClusters));
  if (after.cpuMillis > quota.maxCpuMillis)
    throw over("requested CPU", formatCpuMillis(after.cpuMillis), formatCpuMillis(quota.maxCpuMillis));
  if (after.memoryBytes > quota.maxMemoryBytes)
    throw over("requested memory", formatMemoryBytes(after.memoryBytes), formatMemoryBytes(quota.maxMemoryBytes));
  if (after.storageBytes > quota.maxStorageBytes)
    throw over("storage", formatMemoryBytes(after.storageBytes), formatMemoryBytes(quota.maxStorageBytes));
  await reportThresholds(tx, projectId, quota, after);
  return { quota, after };
}

/** Owners hear when a claim takes a resource to 80 % or 100 % of its quota (deduplicated by the notifier). */
async function reportThresholds(tx: Tx, projectId: string, quota: Quota, after: QuotaUsage): Promise<void> {
  const resources: [string, number, number][] = [
    ["vclusters", after.vclusters, quota.maxVClusters],
    ["cpu (millicores)", after.cpuMillis, quota.maxCpuMillis],
    ["memory (MiB)", Number(after.memoryBytes / 1048576n), Number(quota.maxMemoryBytes / 1048576n)],
    ["storage (GiB)", Number(after.storageBytes / 1073741824n), Number(quota.maxStorageBytes / 1073741824n)],
  ];
  for (const [resource, used, limit] of resources) {
    if (limit <= 0 || used * 100 < limit * 80) continue;
    await recordQuotaThreshold(tx, { projectId, resource, used, limit, percent: used >= limit ? 100 : 80 });
  }
}

export interface QuotaView {
  limits: {
    maxVClusters: number;
    maxCpuMillis: number;
    maxMemoryBytes: bigint;
    maxStorageBytes: bigint;
    maxSnapshots: number;
  } | null;
  usage: QuotaUsage;
}

export async function getQuota(db: Db, projectId: string): Promise<QuotaView> {
  const quota = await db.quota.findUnique({ where: { projectId } });
  return {
    limits: quota
      ? {
          maxVClusters: quota.maxVClusters,
          maxCpuMillis: quota.maxCpuMillis,
          maxMemoryBytes: quota.maxMemoryBytes,
          maxStorageBytes: quota.maxStorageBytes,
          maxSnapshots: quota.maxSnapshots,
        }
      : null,
    usage: await usageOf(db, projectId),
  };
}

export interface QuotaLimits {
  maxVClusters: number;
  maxCpuMillis: number;
  maxMemoryBytes: bigint;
  maxStorageBytes: bigint;
  maxSnapshots: number;
}

/** Lowering a limit below current usage is allowed (nothing is evicted); new claims are refused until usage drops. */
export function setQuota(
  { db, auditActor, actor: caller }: ServiceContext,
  projectId: string,
  limits: QuotaLimits,
): Promise<QuotaView> {
  return audited(
    db,
    auditActor,
    { action: "quota.set", targetType: "quota", targetId: projectId, projectId },
    async (tx) => {
      checkCeiling(limits, caller.isPlatformAdmin);
      const before = await tx.quota.findUnique({ where: { projectId } });
      await tx.quota.upsert({ where: { projectId }, create: { projectId, ...limits }, update: limits });
      const usage = await usageOf(tx, projectId);
      return { value: { limits, usage }, audit: { before, after: limits } };
    },
  );
}
