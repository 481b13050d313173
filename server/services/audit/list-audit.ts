import type { Db } from "@/server/db/client";
import type { AuditLog } from "@/server/generated/prisma/client";
import { invalidField } from "@/server/universal/errors";
import { auditWhere, type AuditFilter } from "./audit-filter";

export type AuditEntry = Omit<AuditLog, "before" | "after"> & { before: unknown; after: unknown };

export interface AuditPage {
  items: AuditEntry[];
  /** pass back as `cursor` for the next (older) page; null on the last page */
  nextCursor: string | null;
}

/** The cursor is the last row's seq: newest first, and rows appended meanwhile never shift a page. */
export function parseSeqCursor(cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,19}$/.test(cursor)) throw invalidField("cursor", "must be the nextCursor of a previous page");
  return BigInt(cursor);
}

export async function listAudit(
  db: Db,
  filter: AuditFilter,
  page: { cursor?: string; limit: number },
): Promise<AuditPage> {
  const below = parseSeqCursor(page.cursor);
  const rows = await db.auditLog.findMany({
    where: { AND: [auditWhere(filter), below === undefined ? {} : { seq: { lt: below } }] },
    orderBy: { seq: "desc" },
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].seq.toString() : null };
}
