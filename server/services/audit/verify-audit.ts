/**
 * Checks the audit hash chain from the first row: every row must link to the stored hash of the row before it and
 * hash to its own stored value. Reads in pages so the whole log is never in memory.
 */
import type { Db } from "@/server/db/client";
import type { AuditLog } from "@/server/generated/prisma/client";
import { auditHash, GENESIS_HASH } from "./audit-hash";

export interface BrokenAuditRow {
  id: string;
  seq: bigint;
  /** `hash`: the row's content no longer matches its hash; `prevHash`: it does not link to the row before it */
  problem: "hash" | "prevHash";
  expected: string;
  actual: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** rows that fail either check; a changed row counts once, a removed or re-linked one also breaks its successor */
  brokenCount: number;
  firstBroken: BrokenAuditRow | null;
  lastSeq: bigint | null;
}

export function recomputeHash(row: AuditLog): string {
  return auditHash(row.prevHash, {
    id: row.id,
    at: row.at,
    actorType: row.actorType,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    targetName: row.targetName,
    projectId: row.projectId,
    requestId: row.requestId,
    sourceIp: row.sourceIp,
    userAgent: row.userAgent,
    before: row.before,
    after: row.after,
    result: row.result,
    errorCode: row.errorCode,
    message: row.message,
  });
}

export async function verifyAuditChain(db: Db, options: { pageSize?: number } = {}): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? 1000;
  let previousHash = GENESIS_HASH;
  let lastSeq: bigint | null = null;
  let checked = 0;
  let brokenCount = 0;
  let firstBroken: BrokenAuditRow | null = null;
  for (;;) {
    const rows: AuditLog[] = await db.auditLog.findMany({
      where: lastSeq === null ? {} : { seq: { gt: lastSeq } },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    for (const row of rows) {
      checked++;
      let broken: BrokenAuditRow | null = null;
      if (row.prevHash !== previousHash) {
        broken = { id: row.id, seq: row.seq, problem: "prevHash", expected: previousHash, actual: row.prevHash };
      } else {
        const recomputed = recomputeHash(row);
        if (recomputed !== row.hash) broken = { id: row.id, seq: row.seq, problem: "hash", expected: recomputed, actual: row.hash };
      }
      if (broken) {
        brokenCount++;
        firstBroken ??= broken;
      }
      previousHash = row.hash;
      lastSeq = row.seq;
    }
    if (rows.length < pageSize) break;
  }
  return { ok: brokenCount === 0, checked, brokenCount, firstBroken, lastSeq };
}
