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
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves a Bearer token to its user; any problem with it is UNAUTHENTICATED, never a hint about which one. */
export async function authenticateToken(db: Db, token: string, now = new Date()): Promise<TokenIdentity> {
  const refused = new AppError("UNAUTHENTICATED", "the API token is invalid, expired or revoked");
  if (!TOKEN_PATTERN.test(token)) throw refused;
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, userId: true, expiresAt: true, revokedAt: true, lastUsedAt: true, user: { select: { disabled: true } } },
  });
  if (!row || row.revokedAt || row.user.disabled || (row.expiresAt && row.expiresAt <= now)) throw refused;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { tokenId: row.id, userId: row.userId };
}
