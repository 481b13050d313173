/**
 * Checks the audit chain from the first row: every row must link to the stored hash of the row before it and hash
 * (HMAC, for version 2) to its own stored value, no unkeyed row may follow a keyed one, and the head anchored in
 * the object store must still be in the chain (./audit-anchor.ts). Reads in pages so the whole log is never in
 * memory. What this does and does not detect is in the README's audit section.
 */
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import type { AuditLog } from "@/server/generated/prisma/client";
import { readAuditAnchor, type AuditAnchor } from "./audit-anchor";
import { auditHash, GENESIS_HASH } from "./audit-hash";

export interface BrokenAuditRow {
  id: string;
  seq: bigint;
  /**
   * `hash`: the row's content no longer matches its hash; `prevHash`: it does not link to the row before it;
   * `version`: an unkeyed row after keyed ones, which only a forger writes
   */
  problem: "hash" | "prevHash" | "version";
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
  anchor: AnchorCheck;
}

/**
 * `ok`: the anchored row is in the chain with its hash; `cut`: it is gone or changed (rows were removed from the
 * end); `missing`: the store has no anchor although the chain is older than anchoring takes; `pending`: not yet
 * anchored; `invalid`: the stored anchor was not written with this portal's key; `unconfigured`: no object store.
 */
export interface AnchorCheck {
  status: "ok" | "cut" | "missing" | "pending" | "invalid" | "unconfigured";
  seq: bigint | null;
  at: Date | null;
}

export interface VerifyOptions {
  pageSize?: number;
  /** where the head is anchored; null or a NOT_AVAILABLE error: no store configured */
  anchorStore?: () => ObjectStore;
  /** how old the first row may be before a missing anchor counts as removed */
  anchorGraceMs?: number;
}

async function loadAnchor(
  options: VerifyOptions,
): Promise<{ anchor: AuditAnchor | null; status?: AnchorCheck["status"] }> {
  if (!options.anchorStore) return { anchor: null, status: "unconfigured" };
  let store: ObjectStore;
  try {
    store = options.anchorStore();
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_AVAILABLE") return { anchor: null, status: "unconfigured" };
    throw error;
  }
  try {
    return { anchor: await readAuditAnchor(store) };
  } catch (error) {
    if (error instanceof AppError && error.code === "INTERNAL") return { anchor: null, status: "invalid" };
    throw error;
  }
}

export function recomputeHash(row: AuditLog): string {
  return auditHash(
    row.prevHash,
    {
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
    },
    row.chainVersion,
  );
}

export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? 1000;
  // read before the rows, so that rows appended during the scan cannot make an older anchor look cut
  const { anchor, status } = await loadAnchor(options);
  let anchoredHash: string | null = null;
  let firstAt: Date | null = null;
  let keyedSeen = false;
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
      firstAt ??= row.at;
      if (anchor && row.seq === anchor.seq) anchoredHash = row.hash;
      let broken: BrokenAuditRow | null = null;
      if (keyedSeen && row.chainVersion < 2) {
        broken = { id: row.id, seq: row.seq, problem: "version", expected: "2", actual: String(row.chainVersion) };
      } else if (row.prevHash !== previousHash) {
        broken = { id: row.id, seq: row.seq, problem: "prevHash", expected: previousHash, actual: row.prevHash };
      } else {
        const recomputed = recomputeHash(row);
        if (recomputed !== row.hash)
          broken = { id: row.id, seq: row.seq, problem: "hash", expected: recomputed, actual: row.hash };
      }
      if (broken) {
        brokenCount++;
        firstBroken ??= broken;
      }
      keyedSeen ||= row.chainVersion >= 2;
      previousHash = row.hash;
      lastSeq = row.seq;
    }
    if (rows.length < pageSize) break;
  }
  const check: AnchorCheck = { status: status ?? "ok", seq: anchor?.seq ?? null, at: anchor?.at ?? null };
  if (!status && anchor && anchoredHash !== anchor.hash) check.status = "cut";
  if (!status && !anchor) {
    const grace = options.anchorGraceMs ?? 5 * 60_000;
    check.status = firstAt && Date.now() - firstAt.getTime() > grace ? "missing" : "pending";
  }
  const anchorOk = check.status === "ok" || check.status === "pending" || check.status === "unconfigured";
  return { ok: brokenCount === 0 && anchorOk, checked, brokenCount, firstBroken, lastSeq, anchor: check };
}
