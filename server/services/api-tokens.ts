import type { Actor } from "@/server/auth/actor";
import { generateToken } from "@/server/auth/api-tokens";
import type { Db } from "@/server/db/client";
import { AppError, invalidField } from "@/server/universal/errors";

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const VIEW = {
  id: true,
  name: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

export async function createApiToken(
  db: Db,
  actor: Actor,
  input: { name: string; expiresInDays: number | null },
  now = new Date(),
): Promise<{ token: string; view: ApiTokenView }> {
  if (actor.tokenId) {
    // A leaked token must not be able to mint longer-lived ones.
    throw new AppError("FORBIDDEN", "API tokens can only be created from a signed-in browser session");
  }
  if (input.expiresInDays !== null && (input.expiresInDays < 1 || input.expiresInDays > 366)) {
    throw invalidField("expiresInDays", "must be between 1 and 366 days, or empty for no expiry");
  }
  const { token, prefix, tokenHash } = generateToken();
  const expiresAt = input.expiresInDays === null ? null : new Date(now.getTime() + input.expiresInDays * 86_400_000);
  const view = await db.apiToken.create({
    data: { userId: actor.userId, name: input.name, prefix, tokenHash, expiresAt },
    select: VIEW,
  });
  return { token, view };
}

export async function listApiTokens(db: Db, actor: Actor): Promise<ApiTokenView[]> {
  return db.apiToken.findMany({ where: { userId: actor.userId }, orderBy: { createdAt: "desc" }, select: VIEW });
}

/** Idempotent: revoking a revoked token keeps its first revocation time. */
export async function revokeApiToken(db: Db, actor: Actor, id: string, now = new Date()): Promise<ApiTokenView> {
  await db.apiToken.updateMany({ where: { id, userId: actor.userId, revokedAt: null }, data: { revokedAt: now } });
  const token = await db.apiToken.findFirst({ where: { id, userId: actor.userId }, select: VIEW });
  if (!token) throw new AppError("NOT_FOUND", "API token not found");
  return token;
}
