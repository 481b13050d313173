/**
 * What each operation kind does on the host. Every step is idempotent (apply, scale to a number, delete what
 * exists), so an operation resumed by another worker after a crash repeats nothing harmful.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { HostStatus, VClusterAdapter } from "@/server/adapters/vcluster/types";
import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import type { Operation, OperationKind, VCluster } from "@/server/generated/prisma/client";
import { announceVClusterChange } from "@/server/engine/reconcile/change-events";
import type { StatusPatch } from "@/server/engine/queue/complete-operation";
import { hostSpecOf, targetOf } from "@/server/engine/placement/host-spec";
import { assertClaim, LeaseLostError, lockVCluster } from "@/server/engine/queue/operations";
import { enforceRetention } from "@/server/engine/snapshots/retention";
import { isRetryable } from "@/server/engine/queue/retryable";
import { restoreSnapshot, takeSnapshot } from "@/server/engine/snapshots/snapshot-steps";
import { transition } from "@/server/universal/state-machine";

export interface ExecutionContext {
  db: Db;
  op: Operation;
  workerId: string;
  vcluster: VCluster;
  adapter: VClusterAdapter;
  /** aborted when the worker loses its lease or stops */
  signal: AbortSignal;
  readyTimeoutMs: number;
  statusPollMs: number;
  /** the snapshot store; NOT_AVAILABLE when none is configured */
  store(): ObjectStore;
  setStep(step: string, progress: number): Promise<void>;
}

export type Executor = (ctx: ExecutionContext) => Promise<StatusPatch>;

/** attempts a force delete gives a host that answers with transient errors before it lets go of the vcluster */
const FORCE_DELETE_TRIES = 3;

/** From this step on a suspend may have paused the control plane, so its failure is not "nothing happened". */
export const PAUSING_STEP = "pausing";

function patchOf(status: HostStatus): StatusPatch {
  return {
    readyReplicas: status.readyReplicas,
    apiServerEndpoint: status.apiServerEndpoint,
    conditions: status.conditions,
  };
}

/** Polls the host's view of the vcluster until `done`, within this attempt's time budget. */
async function waitForHost(ctx: ExecutionContext, what: string, done: (s: HostStatus) => boolean): Promise<HostStatus> {
  const deadline = Date.now() + ctx.readyTimeoutMs;
  const target = targetOf(ctx.vcluster);
  for (;;) {
    if (ctx.signal.aborted) throw new LeaseLostError(ctx.op.id);
    const status = await ctx.adapter.status(target);
    if (done(status)) return status;
    // the syncer keeps refusing to start: waiting longer would only hide its reason behind a timeout
    if (status.failure) throw new AppError("PRECONDITION_FAILED", `${what} not reached: ${status.failure}`);
    if (Date.now() >= deadline) {
      const ready = status.conditions.find((c) => c.type === "Ready");
      throw new AppError(
        "TIMEOUT",
        `${what} not reached within ${Math.round(ctx.readyTimeoutMs / 1000)} s (ready replicas ${status.readyReplicas}/${status.desiredReplicas}${ready ? `, ${ready.reason}: ${ready.message}` : ""})`,
      );
    }
    // an abort is the lease lost: the next turn of the loop says so
    await delay(ctx.statusPollMs, undefined, { signal: ctx.signal }).catch((error: unknown) => {
      if (!ctx.signal.aborted) throw error;
    });
  }
}

const allReady = (vcluster: VCluster) => (s: HostStatus) =>
  s.installed && !s.paused && s.readyReplicas >= vcluster.replicas;

/** PENDING → CREATING once a worker starts on the host; a resumed create finds it already done. */
async function markAllocated(ctx: ExecutionContext): Promise<void> {
  await ctx.db.$transaction(async (tx) => {
    await assertClaim(tx, ctx.op.id, ctx.workerId);
    const vcluster = await lockVCluster(tx, ctx.vcluster.id);
    if (vcluster.phase !== "PENDING") return;
    const next = transition(vcluster.phase, "allocated");
    if (next.ok && next.next) {
      await tx.vCluster.update({ where: { id: vcluster.id }, data: { phase: next.next } });
      await announceVClusterChange(tx, vcluster.id, vcluster.projectId);
    }
  });
}

interface SnapshotParams {
  snapshotId?: string;
  snapshotFirst?: boolean;
  restoreFrom?: string;
  prune?: boolean;
  /** an update that moves the vcluster to this chart version */
  chartVersion?: string;
}

const paramsOf = (ctx: ExecutionContext) => (ctx.op.params ?? {}) as SnapshotParams;

function requireParam(value: string | undefined, what: string): string {
  if (!value) throw new AppError("INVALID", `operation has no ${what}`);
  return value;
}

/** A finished snapshot, and the retention that may follow it once it is committed. */
async function snapshotPatch(ctx: ExecutionContext, snapshotId: string): Promise<StatusPatch> {
  const store = ctx.store();
  const snapshot = await takeSnapshot(ctx, store, snapshotId);
  return { snapshot, afterCommit: retentionOf(ctx, store) };
}

const retentionOf = (ctx: ExecutionContext, store: ObjectStore) => async () =>
  void (await enforceRetention(ctx.db, store, ctx.vcluster.id));

/**
 * The snapshot a suspend takes first, committed on its own before the pause, so that an attempt resumed after the
 * pause finds it done. One an earlier attempt did not finish is taken from a running control plane: a plane already
 * paused (by an earlier attempt, or outside the portal) is brought back for it first.
 */
async function snapshotBeforePause(ctx: ExecutionContext, snapshotId: string): Promise<void> {
  const { status } = await ctx.db.snapshot.findUniqueOrThrow({ where: { id: snapshotId }, select: { status: true } });
  if (status === "READY") return;
  const target = targetOf(ctx.vcluster);
  if ((await ctx.adapter.status(target)).paused) {
    await ctx.setStep("resuming to take the snapshot", 20);
    await ctx.adapter.resume(target);
    await waitForHost(ctx, "control plane ready", allReady(ctx.vcluster));
  }
  const snapshot = await takeSnapshot(ctx, ctx.store(), snapshotId);
  await ctx.db.$transaction(async (tx) => {
    await assertClaim(tx, ctx.op.id, ctx.workerId);
    await tx.snapshot.update({ where: { id: snapshot.id }, data: snapshot.data });
    await tx.vCluster.update({ where: { id: ctx.vcluster.id }, data: { lastSnapshotId: snapshot.id } });
    await announceVClusterChange(tx, ctx.vcluster.id, ctx.vcluster.projectId);
  });
}

export const EXECUTORS: Partial<Record<OperationKind, Executor>> = {
  async CREATE(ctx) {
    await markAllocated(ctx);
    await ctx.setStep("installing", 20);
    const chartVersion = ctx.vcluster.chartVersion ?? ctx.adapter.chart.version;
    await ctx.adapter.install(targetOf(ctx.vcluster), hostSpecOf(ctx.vcluster), chartVersion);
    await ctx.setStep("waiting for the control plane", 60);
    const status = await waitForHost(ctx, "control plane ready", allReady(ctx.vcluster));
    const { restoreFrom } = paramsOf(ctx);
    if (restoreFrom) await restoreSnapshot(ctx, ctx.store(), ctx.vcluster, restoreFrom, false);
    return { ...patchOf(status), chartVersion };
  },
  async SNAPSHOT(ctx) {
    return snapshotPatch(ctx, requireParam(paramsOf(ctx).snapshotId, "snapshot"));
  },
  async RESTORE(ctx) {
    const { snapshotId, prune } = paramsOf(ctx);
    await restoreSnapshot(ctx, ctx.store(), ctx.vcluster, requireParam(snapshotId, "snapshot"), prune ?? false);
    return patchOf(await ctx.adapter.status(targetOf(ctx.vcluster)));
  },
  async UPDATE(ctx) {
    await ctx.setStep("rolling out", 30);
    const chartVersion = paramsOf(ctx).chartVersion ?? ctx.vcluster.chartVersion ?? ctx.adapter.chart.version;
    const spec = hostSpecOf(ctx.vcluster);
    await ctx.adapter.upgrade(targetOf(ctx.vcluster), spec, chartVersion);
    // the chart picks the patch release of a minor version (K8SVersionMap), so the minor is what must match
    const minor = spec.kubernetesVersion.replace(/^v/, "").split(".").slice(0, 2).join(".");
    const status = await waitForHost(
      ctx,
      "rollout",
      (s) =>
        allReady(ctx.vcluster)(s) &&
        (!s.kubernetesVersion || s.kubernetesVersion.replace(/^v/, "").startsWith(`${minor}.`)),
    );
    return { ...patchOf(status), chartVersion };
  },
  async SCALE(ctx) {
    await ctx.setStep(`scaling to ${ctx.vcluster.replicas}`, 30);
    // through the chart, so the syncer's config.yaml (highAvailability.replicas) says what runs
    const chartVersion = ctx.vcluster.chartVersion ?? ctx.adapter.chart.version;
    await ctx.adapter.upgrade(targetOf(ctx.vcluster), hostSpecOf(ctx.vcluster), chartVersion);
    const status = await waitForHost(
      ctx,
      `${ctx.vcluster.replicas} ready replicas`,
      (s) => allReady(ctx.vcluster)(s) && s.desiredReplicas === ctx.vcluster.replicas,
    );
    return { ...patchOf(status), chartVersion };
  },
  async SUSPEND(ctx) {
    const { snapshotFirst, snapshotId } = paramsOf(ctx);
    if (snapshotFirst) await snapshotBeforePause(ctx, requireParam(snapshotId, "snapshot"));
    await ctx.setStep(PAUSING_STEP, 70);
    await ctx.adapter.suspend(targetOf(ctx.vcluster), ctx.vcluster.replicas);
    const status = await waitForHost(ctx, "control plane stopped", (s) => s.paused && s.readyReplicas === 0);
    return { ...patchOf(status), ...(snapshotFirst ? { afterCommit: retentionOf(ctx, ctx.store()) } : {}) };
  },
  async RESUME(ctx) {
    await ctx.setStep("resuming", 30);
    await ctx.adapter.resume(targetOf(ctx.vcluster));
    return patchOf(await waitForHost(ctx, "control plane ready", allReady(ctx.vcluster)));
  },
  async RECOVER(ctx) {
    const target = targetOf(ctx.vcluster);
    await ctx.setStep("reapplying the desired state", 30);
    const status = await ctx.adapter.status(target);
    if (status.paused) await ctx.adapter.resume(target);
    const chartVersion = ctx.vcluster.chartVersion ?? ctx.adapter.chart.version;
    await ctx.adapter.install(target, hostSpecOf(ctx.vcluster), chartVersion);
    return { ...patchOf(await waitForHost(ctx, "control plane ready", allReady(ctx.vcluster))), chartVersion };
  },
  async DELETE(ctx) {
    await ctx.setStep("uninstalling", 30);
    await ctx.adapter.uninstall(targetOf(ctx.vcluster));
    return {};
  },
  async FORCE_DELETE(ctx) {
    // The way out when a delete cannot finish: the portal lets go of the vcluster whatever the host says, and says
    // what may be left there.
    await ctx.setStep("uninstalling", 30);
    try {
      await ctx.adapter.uninstall(targetOf(ctx.vcluster));
      return {};
    } catch (error) {
      if (error instanceof LeaseLostError || ctx.signal.aborted) throw error;
      if (isRetryable(error) && ctx.op.attempts < FORCE_DELETE_TRIES) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return {
        leftOnHost: `namespace ${targetOf(ctx.vcluster).namespace} may remain on the host: clean-up failed (${reason})`,
      };
    }
  },
};
