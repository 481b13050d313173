import { createHash, createHmac } from "node:crypto";
import { auditChainKey } from "./audit-key";

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

/**
 * Version 1 rows (written before the chain was keyed) are plain SHA-256 and are only read; every row written now is
 * version 2, an HMAC under the audit key. A version 1 row after a version 2 row is a forgery by construction.
 */
export const AUDIT_CHAIN_VERSION = 2;

export function auditHash(prevHash: string, fields: HashedAuditFields, version: number = AUDIT_CHAIN_VERSION): string {
  const { before, after, at, ...rest } = fields;
  const digest = version === 1 ? createHash("sha256") : createHmac("sha256", auditChainKey());
  return digest
    .update(prevHash)
    .update("\n")
    .update(canonicalJson({ ...rest, at: at.toISOString(), before: before ?? null, after: after ?? null }))
    .digest("hex");
}
