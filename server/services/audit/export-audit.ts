/**
 * Audit export as CSV or NDJSON, produced page by page as the consumer reads, so exporting millions of rows holds
 * one page in memory and a client that stops reading stops the queries.
 */
import type { Db } from "@/server/db/client";
import type { AuditLog } from "@/server/generated/prisma/client";
import { canonicalJson } from "./audit-hash";
import { auditWhere, type AuditFilter } from "./audit-filter";

export const AUDIT_EXPORT_FORMATS = ["csv", "ndjson"] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const AUDIT_CSV_COLUMNS = [
  "seq",
  "id",
  "at",
  "actorType",
  "actorId",
  "actorLabel",
  "action",
  "targetType",
  "targetId",
  "targetName",
  "projectId",
  "requestId",
  "sourceIp",
  "userAgent",
  "result",
  "errorCode",
  "message",
  "before",
  "after",
  "prevHash",
  "hash",
] as const;

type Column = (typeof AUDIT_CSV_COLUMNS)[number];

function plain(row: AuditLog): Record<Column, string | null> {
  return {
    seq: row.seq.toString(),
    id: row.id,
    at: row.at.toISOString(),
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
    result: row.result,
    errorCode: row.errorCode,
    message: row.message,
    before: row.before === null ? null : canonicalJson(row.before),
    after: row.after === null ? null : canonicalJson(row.after),
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/**
 * RFC 4180 quoting. Cells that a spreadsheet would run as a formula (names and user agents are user input) get a
 * leading apostrophe, the convention spreadsheets show as text.
 */
export function csvCell(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvLine(row: AuditLog): string {
  const cells = plain(row);
  return `${AUDIT_CSV_COLUMNS.map((c) => csvCell(cells[c])).join(",")}\r\n`;
}

function ndjsonLine(row: AuditLog): string {
  return `${JSON.stringify({ ...plain(row), before: row.before ?? null, after: row.after ?? null })}\n`;
}

export function auditExportStream(
  db: Db,
  filter: AuditFilter,
  format: AuditExportFormat,
  pageSize = 500,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const where = auditWhere(filter);
  let after: bigint | null = null;
  let headerSent = format !== "csv";
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text = "";
        if (!headerSent) {
          text += `${AUDIT_CSV_COLUMNS.join(",")}\r\n`;
          headerSent = true;
        }
        const rows: AuditLog[] = await db.auditLog.findMany({
          where: { AND: [where, after === null ? {} : { seq: { gt: after } }] },
          orderBy: { seq: "asc" },
          take: pageSize,
        });
        for (const row of rows) text += format === "csv" ? csvLine(row) : ndjsonLine(row);
        if (text) controller.enqueue(encoder.encode(text));
        if (rows.length < pageSize) controller.close();
        else after = rows[rows.length - 1].seq;
      },
    },
    { highWaterMark: 1 },
  );
}
