/**
 * The audit chain's key. Rows are linked by HMAC, not a bare hash, so someone who can write the database but does
 * not hold this key cannot insert, edit or re-link rows without `audit.verify` noticing. The key lives outside the
 * database: AUDIT_CHAIN_KEY, else derived from NEXTAUTH_SECRET (so a zero-setup install is keyed too); changing it
 * makes every earlier row fail verification, so it is rotated only together with a fresh chain.
 */
import { hkdfSync } from "node:crypto";

let cached: { source: string; key: Buffer } | undefined;

export function auditChainKey(): Buffer {
  const source = process.env.AUDIT_CHAIN_KEY || process.env.NEXTAUTH_SECRET;
  if (!source || source.length < 32)
    throw new Error("the audit chain needs AUDIT_CHAIN_KEY (or NEXTAUTH_SECRET) of at least 32 characters");
  if (cached?.source !== source)
    cached = { source, key: Buffer.from(hkdfSync("sha256", source, "open-vcluster", "audit-chain-v2", 32)) };
  return cached.key;
}
