/**
 * Writing audit rows. A mutation's row goes into the mutation's own transaction; a refused or failed mutation,
 * whose transaction rolled back, gets its row in a transaction of its own. Rows form a hash chain: one advisory
 * lock orders writers so each row links to the one before it; each link is keyed (./audit-key.ts).
 */
import type { Db, Tx } from "@/server/db/client";
import { translateDbError } from "@/server/db/errors";
import type { AuditAction, AuditTargetType } from "@/server/universal/audit-actions";
import { AppError } from "@/server/universal/errors";
import type { AuditResult, Prisma } from "@/server/generated/prisma/client";
import { AUDIT_CHAIN_VERSION, auditHash, GENESIS_HASH, type HashedAuditFields } from "./audit-hash";
import { noteAuditRow } from "./audit-scope";
import { createId } from "./ids";

const AUDIT_CHAIN_LOCK = 72_707_370;
/** Generous: mutations of one project queue behind its quota lock, and a burst must wait its turn, not fail. */
const TRANSACTION_WAIT = { timeout: 30_000, maxWait: 60_000 };

/** Who did it, from where: filled from the request by the API layer. */
export interface AuditActor {
  actorType: "user" | "token" | "system" | "anonymous";
  actorId: string | null;
  actorLabel: string;
  requestId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
}

export interface AuditEvent {
  action: AuditAction;
  targetType: AuditTargetType;
  targetId?: string | null;
  targetName?: string | null;
  projectId?: string | null;
  before?: unknown;
  after?: unknown;
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  ) as Prisma.InputJsonValue;
}

export async function writeAudit(
  tx: Tx,
  actor: AuditActor,
  event: AuditEvent,
  outcome: { result: AuditResult; errorCode?: string | null; message?: string | null } = { result: "SUCCESS" },
): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.auditLog.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
  const before = toJson(event.before);
  const after = toJson(event.after);
  const fields: HashedAuditFields = {
    id: createId(),
    at: new Date(),
    ...actor,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    targetName: event.targetName ?? null,
    projectId: event.projectId ?? null,
    before: before ?? null,
    after: after ?? null,
    result: outcome.result,
    errorCode: outcome.errorCode ?? null,
    message: outcome.message ?? null,
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await tx.auditLog.create({
    data: {
      ...fields,
      result: outcome.result,
      before,
      after,
      prevHash,
      chainVersion: AUDIT_CHAIN_VERSION,
      hash: auditHash(prevHash, fields),
    },
  });
  noteAuditRow();
}

/**
 * Runs a mutation and audits it: SUCCESS inside its transaction; REFUSED (a domain refusal) or FAILURE (anything
 * else) in a separate one after the rollback. The original error is rethrown either way.
 */
export async function audited<T>(
  db: Db,
  actor: AuditActor,
  event: AuditEvent,
  mutation: (tx: Tx) => Promise<{ value: T; audit?: Partial<AuditEvent> }>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  try {
    return await db.$transaction(
      async (tx) => {
        const { value, audit } = await mutation(tx);
        await writeAudit(tx, actor, { ...event, ...audit });
        return value;
      },
      { ...TRANSACTION_WAIT, timeout: options.timeoutMs ?? TRANSACTION_WAIT.timeout },
    );
  } catch (raw) {
    const error = translateDbError(raw);
    const refused = error instanceof AppError && error.code !== "INTERNAL" && error.code !== "UNAVAILABLE";
    // The refusal's row waits its turn as patiently as the mutation did: with Prisma's default of 2 s, a burst of
    // refused requests queued behind one quota lock lost their rows and answered "database not reachable".
    await db.$transaction(
      (tx) =>
        writeAudit(tx, actor, event, {
          result: refused ? "REFUSED" : "FAILURE",
          errorCode: error instanceof AppError ? error.code : "INTERNAL",
          message: error instanceof AppError ? error.message : "internal error",
        }),
      TRANSACTION_WAIT,
    );
    throw error;
  }
}
