import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";

/** `ovc_<8 prefix chars>_<secret>`: the prefix is shown in lists, the whole token only once at creation. */
const TOKEN_PATTERN = /^ovc_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,})$/;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function generateToken(): { token: string; prefix: string; tokenHash: string } {
  const prefix = randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 8);
  const token = `ovc_${prefix}_${randomBytes(24).toString("base64url")}`;
  return { token, prefix: `ovc_${prefix}`, tokenHash: hashToken(token) };
}

export interface TokenIdentity {
  tokenId: string;
  userId: string;
  /** the token's user, read in the same query so that a request authenticates in one round trip */
  email: string;
  isPlatformAdmin: boolean;
}

const LAST_USED_RESOLUTION_MS = 60_000;

interface TokenRow {
  id: string;
  userId: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  email: string;
  isPlatformAdmin: boolean;
  disabled: boolean;
}

/**
 * Resolves a Bearer token to its user; any problem with it is UNAUTHENTICATED, never a hint about which one.
 * Token and user are read on every request (one indexed join, not a cache), so a revoked or expired token and a
 * disabled user are refused on the very next request on every instance.
 */
export async function authenticateToken(db: Db, token: string, now = new Date()): Promise<TokenIdentity> {
  const refused = new AppError("UNAUTHENTICATED", "the API token is invalid, expired or revoked");
  if (!TOKEN_PATTERN.test(token)) throw refused;
  const [row] = await db.$queryRaw<TokenRow[]>`
    SELECT t.id, t."userId", t."expiresAt", t."revokedAt", t."lastUsedAt", u.email, u."isPlatformAdmin", u.disabled
    FROM "ApiToken" t JOIN "User" u ON u.id = t."userId"
    WHERE t."tokenHash" = ${hashToken(token)}`;
  if (!row || row.revokedAt || row.disabled || (row.expiresAt && row.expiresAt <= now)) throw refused;
  // a write at most once a minute per token, not on every request
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { tokenId: row.id, userId: row.userId, email: row.email, isPlatformAdmin: row.isPlatformAdmin };
}
