/**
 * Durable operations. A lifecycle request changes the phase and inserts its Operation in one transaction; workers
 * claim operations with FOR UPDATE SKIP LOCKED under a lease they renew, so any number of workers share the queue
 * and a dead worker's operation is taken over once its lease expires. Every write by a worker is fenced on its
 * claim, so a worker that lost its lease cannot overwrite its successor's work.
 */
import type { Tx } from "@/server/db/client";
import type { Db } from "@/server/db/client";
import { AppError, notFound } from "@/server/universal/errors";
import type { Operation, OperationKind, Prisma, VClusterPhase } from "@/server/generated/prisma/client";
import { announceVClusterChange } from "@/server/engine/reconcile/change-events";
import { isDeferredAction, transition, type Action } from "@/server/universal/state-machine";

export const ACTION_OF_KIND: Record<Exclude<OperationKind, "CREATE">, Action> = {
  UPDATE: "update",
  SCALE: "scale",
  SUSPEND: "suspend",
  RESUME: "resume",
  SNAPSHOT: "snapshot",
  RESTORE: "restore",
  DELETE: "delete",
  FORCE_DELETE: "forceDelete",
  RECOVER: "recover",
};

export const NOTIFY_CHANNEL = "ovc_operations";

export interface OperationRequest {
  vclusterId: string;
  kind: OperationKind;
  params?: Prisma.InputJsonValue;
  idempotencyKey?: string | null;
  requestedById?: string | null;
  /** attempts before a retryable failure becomes final (default 8) */
  maxAttempts?: number;
}

export interface RequestedOperation {
  operation: Operation;
  /** true when the idempotency key matched an earlier request, which is returned instead */
  replayed: boolean;
}

interface LockedVCluster {
  id: string;
  name: string;
  projectId: string;
  ownerId: string;
  phase: VClusterPhase;
}

export async function lockVCluster(tx: Tx, vclusterId: string): Promise<LockedVCluster> {
  const rows = await tx.$queryRaw<LockedVCluster[]>`
    SELECT id, name, "projectId", "ownerId", phase::text AS phase FROM "VCluster" WHERE id = ${vclusterId} FOR UPDATE`;
  if (!rows[0]) throw notFound("vcluster");
  return rows[0];
}

/** Must run inside the caller's transaction, next to the audit row it belongs with. */
export async function requestOperation(tx: Tx, request: OperationRequest): Promise<RequestedOperation> {
  if (request.idempotencyKey) {
    const earlier = await tx.operation.findUnique({ where: { idempotencyKey: request.idempotencyKey } });
    if (earlier) {
      if (earlier.vclusterId === request.vclusterId && earlier.kind === request.kind)
        return { operation: earlier, replayed: true };
      throw new AppError("CONFLICT", "idempotencyKey was already used for a different request");
    }
  }
  const vcluster = await lockVCluster(tx, request.vclusterId);
  const active = await tx.operation.findFirst({
    where: { vclusterId: vcluster.id, state: { in: ["QUEUED", "RUNNING"] } },
    select: { id: true, kind: true },
  });
  if (active) {
    throw new AppError(
      "CONFLICT",
      `${vcluster.name} is busy: a ${active.kind.toLowerCase()} operation (${active.id}) is still in progress`,
    );
  }
  if (request.kind === "CREATE") {
    if (vcluster.phase !== "PENDING")
      throw new AppError("PRECONDITION_FAILED", `cannot create a vcluster in phase ${vcluster.phase}`);
  } else {
    const action = ACTION_OF_KIND[request.kind];
    const result = transition(vcluster.phase, action);
    if (!result.ok) throw new AppError("PRECONDITION_FAILED", result.message);
    if (!isDeferredAction(action) && result.next) {
      await tx.vCluster.update({
        where: { id: vcluster.id },
        data: { phase: result.next, reason: null, message: null },
      });
    }
  }
  const operation = await tx.operation.create({
    data: {
      kind: request.kind,
      vclusterId: vcluster.id,
      vclusterName: vcluster.name,
      projectId: vcluster.projectId,
      fromPhase: vcluster.phase,
      params: request.params ?? {},
      idempotencyKey: request.idempotencyKey ?? null,
      requestedById: request.requestedById ?? null,
      ...(request.maxAttempts ? { maxAttempts: request.maxAttempts } : {}),
    },
  });
  await tx.$executeRaw`SELECT pg_notify(${NOTIFY_CHANNEL}, ${operation.id})`;
  await announceVClusterChange(tx, vcluster.id, vcluster.projectId);
  return { operation, replayed: false };
}

/**
 * Takes the next due operation, or one whose worker's lease ran out. Taking over continues the dead worker's
 * attempt: a crash is no failure of the operation's, so it does not use up the retry budget (takeovers are counted
 * apart, and bounded in the worker).
 */
export async function claimNextOperation(db: Db, workerId: string, leaseMs: number): Promise<Operation | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "Operation"
       SET state = 'RUNNING', "claimedBy" = ${workerId},
           "leaseExpiresAt" = now() + ${leaseMs} * interval '1 millisecond',
           attempts = attempts + CASE WHEN state = 'QUEUED' THEN 1 ELSE 0 END,
           takeovers = takeovers + CASE WHEN state = 'RUNNING' THEN 1 ELSE 0 END,
           "startedAt" = COALESCE("startedAt", now()), "updatedAt" = now()
     WHERE id = (
       SELECT id FROM "Operation"
        WHERE (state = 'QUEUED' AND "runAfter" <= now()) OR (state = 'RUNNING' AND "leaseExpiresAt" < now())
        ORDER BY "runAfter", "createdAt"
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  if (!rows[0]) return null;
  return db.operation.findUniqueOrThrow({ where: { id: rows[0].id } });
}

export class LeaseLostError extends Error {
  constructor(operationId: string) {
    super(`lease on operation ${operationId} was lost to another worker`);
    this.name = "LeaseLostError";
  }
}

/** Fencing: the operation is still this worker's. Run inside the transaction that writes on its behalf. */
export async function assertClaim(tx: Tx, operationId: string, workerId: string): Promise<void> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Operation" WHERE id = ${operationId} AND "claimedBy" = ${workerId} AND state = 'RUNNING' FOR UPDATE`;
  if (!rows[0]) throw new LeaseLostError(operationId);
}

export async function renewLease(
  db: Db,
  operationId: string,
  workerId: string,
  leaseMs: number,
  step?: string,
): Promise<void> {
  const count = await db.$executeRaw`
    UPDATE "Operation" SET "leaseExpiresAt" = now() + ${leaseMs} * interval '1 millisecond', "updatedAt" = now(),
           step = COALESCE(${step ?? null}, step)
     WHERE id = ${operationId} AND "claimedBy" = ${workerId} AND state = 'RUNNING'`;
  if (count === 0) throw new LeaseLostError(operationId);
}
