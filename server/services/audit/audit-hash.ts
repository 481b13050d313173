import { createHash } from "node:crypto";

/** The fields a row's hash covers, in a fixed order, so a changed field anywhere breaks the chain from there on. */
export interface HashedAuditFields {
  id: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  projectId: string | null;
  requestId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  before: unknown;
  after: unknown;
  result: string;
  errorCode: string | null;
  message: string | null;
}

export const GENESIS_HASH = "0".repeat(64);

/** JSON with sorted keys, so the same value always hashes the same however it was built or stored (jsonb reorders). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function auditHash(prevHash: string, fields: HashedAuditFields): string {
  const { before, after, at, ...rest } = fields;
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson({ ...rest, at: at.toISOString(), before: before ?? null, after: after ?? null }))
    .digest("hex");
}
