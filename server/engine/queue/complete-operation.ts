/** How an operation's end lands on its vcluster: one transaction, fenced on the worker's claim. */
import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import type { Operation, OperationKind, Prisma, VClusterPhase } from "@/server/generated/prisma/client";
import { publish } from "@/server/engine/events/outbox";
import type { SnapshotResult } from "@/server/engine/snapshots/snapshot-steps";
import { announceVClusterChange } from "@/server/engine/reconcile/change-events";
import { parseConditions, setCondition, type Condition } from "@/server/universal/conditions";
import { ACTION_OF_KIND, assertClaim, lockVCluster } from "./operations";
import { PAUSING_STEP } from "@/server/engine/lifecycle/executors";
import { isDeferredAction, transition, type TransitionResult } from "@/server/universal/state-machine";

/** What an executor observed on the host, written with the phase change. */
export interface StatusPatch {
  readyReplicas?: number;
  apiServerEndpoint?: string | null;
  conditions?: Condition[];
  /** a snapshot this operation finished, written with the phase change */
  snapshot?: SnapshotResult;
  /** the chart version the control plane now runs, after an install or upgrade */
  chartVersion?: string;
  /** what a force delete could not clean up on the host, kept in the operation's result */
  leftOnHost?: string;
  /** work that must wait for the commit (e.g. retention deleting older snapshots from S3) */
  afterCommit?: () => Promise<void>;
}

const DELETES: OperationKind[] = ["DELETE", "FORCE_DELETE"];

function eventOnSuccess(kind: OperationKind) {
  if (kind === "CREATE") return "succeeded" as const;
  const action = ACTION_OF_KIND[kind];
  return isDeferredAction(action) ? action : ("succeeded" as const);
}

function mergeConditions(
  current: unknown,
  observed: Condition[] | undefined,
  outcome: Omit<Condition, "lastTransitionTime">,
): Condition[] {
  let conditions = parseConditions(current);
  for (const c of observed ?? []) conditions = setCondition(conditions, c);
  return setCondition(conditions, outcome);
}

export async function completeOperationSucceeded(
  db: Db,
  op: Operation,
  workerId: string,
  patch: StatusPatch,
  result?: Prisma.InputJsonValue,
): Promise<void> {
  await db.$transaction(async (tx) => {
    await assertClaim(tx, op.id, workerId);
    await tx.operation.update({
      where: { id: op.id },
      data: {
        state: "SUCCEEDED",
        finishedAt: new Date(),
        lastError: null,
        leaseExpiresAt: null,
        progress: 100,
        result: result ?? (patch.leftOnHost ? { leftOnHost: patch.leftOnHost } : {}),
      },
    });
    if (!op.vclusterId) return;
    const vcluster = await lockVCluster(tx, op.vclusterId);
    const next = transition(vcluster.phase, eventOnSuccess(op.kind));
    if (!next.ok)
      throw new AppError(
        "INTERNAL",
        `operation ${op.id} finished while ${vcluster.name} was ${vcluster.phase}: ${next.message}`,
      );
    await announceVClusterChange(tx, vcluster.id, vcluster.projectId);
    const event = {
      vclusterId: vcluster.id,
      vclusterName: vcluster.name,
      projectId: vcluster.projectId,
      ownerId: vcluster.ownerId,
    };
    if (DELETES.includes(op.kind) || next.next === null) {
      await publish(tx, {
        ...event,
        kind: "phase_changed",
        phase: "DELETED",
        ...(patch.leftOnHost ? { message: patch.leftOnHost } : {}),
      });
      await tx.vCluster.delete({ where: { id: vcluster.id } });
      return;
    }
    if (next.next !== vcluster.phase) await publish(tx, { ...event, kind: "phase_changed", phase: next.next });
    if (patch.snapshot) await tx.snapshot.update({ where: { id: patch.snapshot.id }, data: patch.snapshot.data });
    const current = await tx.vCluster.findUniqueOrThrow({ where: { id: vcluster.id }, select: { conditions: true } });
    await tx.vCluster.update({
      where: { id: vcluster.id },
      data: {
        phase: next.next,
        ...(patch.snapshot ? { lastSnapshotId: patch.snapshot.id } : {}),
        reason: null,
        message: null,
        statusObservedAt: new Date(),
        ...(patch.readyReplicas !== undefined ? { readyReplicas: patch.readyReplicas } : {}),
        ...(patch.apiServerEndpoint !== undefined ? { apiServerEndpoint: patch.apiServerEndpoint } : {}),
        ...(patch.chartVersion ? { chartVersion: patch.chartVersion } : {}),
        conditions: mergeConditions(current.conditions, patch.conditions, {
          type: "OperationSucceeded",
          status: "True",
          reason: `${pascal(op.kind)}Succeeded`,
          message: `${op.kind.toLowerCase().replace("_", " ")} finished`,
        }) as unknown as Prisma.InputJsonValue,
      },
    });
  });
}

export async function completeOperationFailed(
  db: Db,
  op: Operation,
  workerId: string,
  error: AppError | Error,
): Promise<void> {
  const reason = `${pascal(op.kind)}Failed`;
  await db.$transaction(async (tx) => {
    await assertClaim(tx, op.id, workerId);
    await tx.operation.update({
      where: { id: op.id },
      data: { state: "FAILED", finishedAt: new Date(), lastError: error.message, leaseExpiresAt: null },
    });
    if (!op.vclusterId) return;
    const vcluster = await lockVCluster(tx, op.vclusterId);
    await announceVClusterChange(tx, vcluster.id, vcluster.projectId);
    const snapshotId = snapshotOf(op);
    if (snapshotId)
      await tx.snapshot.updateMany({
        where: { id: snapshotId, status: "CREATING" },
        data: { status: "FAILED", reason: error.message, completedAt: new Date() },
      });
    const { step } = await tx.operation.findUniqueOrThrow({ where: { id: op.id }, select: { step: true } });
    const next = phaseAfterFailure(op, vcluster.phase, step, error);
    const current = await tx.vCluster.findUniqueOrThrow({ where: { id: vcluster.id }, select: { conditions: true } });
    await publish(tx, {
      kind: "failed",
      vclusterId: vcluster.id,
      vclusterName: vcluster.name,
      projectId: vcluster.projectId,
      ownerId: vcluster.ownerId,
      phase: next?.ok && next.next ? next.next : vcluster.phase,
      message: `${op.kind.toLowerCase().replace("_", " ")} failed: ${error.message}`,
    });
    await tx.vCluster.update({
      where: { id: vcluster.id },
      data: {
        ...(next?.ok && next.next ? { phase: next.next } : {}),
        reason,
        message: error.message,
        conditions: mergeConditions(current.conditions, undefined, {
          type: "OperationSucceeded",
          status: "False",
          reason,
          message: error.message,
        }) as unknown as Prisma.InputJsonValue,
      },
    });
  });
}

/**
 * Where a failure leaves the vcluster: somewhere the state machine offers a way on. A deferred action that never
 * touched the host leaves the phase as it was (a suspend that failed before pausing still runs); one that may have
 * (a suspend from its pausing step on) is ERROR, from which recover and force delete are offered, as is a delete
 * that ran out of attempts. A failed snapshot, or a restore refused before it applied anything, runs on.
 */
function phaseAfterFailure(
  op: Operation,
  phase: VClusterPhase,
  step: string | null,
  error: AppError | Error,
): TransitionResult | null {
  const deferred = op.kind !== "CREATE" && isDeferredAction(ACTION_OF_KIND[op.kind]);
  if (deferred) return op.kind === "SUSPEND" && step === PAUSING_STEP ? transition(phase, "failed") : null;
  return transition(phase, clusterUntouched(op, error) ? "succeeded" : "failed");
}

/** The snapshot an operation is writing, if any (a snapshot, or a suspend that snapshots first). */
export function snapshotOf(op: Operation): string | null {
  const params = (op.params ?? {}) as { snapshotId?: unknown; snapshotFirst?: unknown };
  if (op.kind === "SNAPSHOT" || (op.kind === "SUSPEND" && params.snapshotFirst))
    return typeof params.snapshotId === "string" ? params.snapshotId : null;
  return null;
}

function clusterUntouched(op: Operation, error: AppError | Error): boolean {
  if (op.kind === "SNAPSHOT") return true;
  return (
    op.kind === "RESTORE" &&
    error instanceof AppError &&
    (error.code === "PRECONDITION_FAILED" || error.code === "INVALID" || error.code === "NOT_FOUND")
  );
}

export async function scheduleRetry(
  db: Db,
  op: Operation,
  workerId: string,
  error: Error,
  delayMs: number,
): Promise<void> {
  await db.$transaction(async (tx) => {
    await assertClaim(tx, op.id, workerId);
    await tx.$executeRaw`
      UPDATE "Operation" SET state = 'QUEUED', "claimedBy" = NULL, "leaseExpiresAt" = NULL, "lastError" = ${error.message},
             "runAfter" = now() + ${delayMs} * interval '1 millisecond', "updatedAt" = now()
       WHERE id = ${op.id}`;
  });
}

function pascal(kind: OperationKind): string {
  return kind
    .toLowerCase()
    .split("_")
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}
