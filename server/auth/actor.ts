import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import { authenticateToken } from "./api-tokens";
import { currentSession } from "./current-session";

/** Who is calling: a person through a browser session, or a tool through one of that person's API tokens. */
export interface Actor {
  userId: string;
  email: string;
  isPlatformAdmin: boolean;
  /** set when the call came with a Bearer token */
  tokenId: string | null;
  /** the Session row, when the call came with a browser session */
  sessionId?: string | null;
}

async function loadActor(db: Db, userId: string): Promise<Actor | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, isPlatformAdmin: true, disabled: true },
  });
  if (!user || user.disabled) return null;
  return { userId: user.id, email: user.email, isPlatformAdmin: user.isPlatformAdmin, tokenId: null };
}

/**
 * A Bearer header wins over a cookie, and a bad Bearer token is refused outright rather than treated as anonymous,
 * so a tool with a revoked token gets a clear UNAUTHORIZED.
 */
export async function resolveActor(db: Db, headers: Headers): Promise<Actor | null> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new AppError("UNAUTHENTICATED", "the Authorization header must be `Bearer <token>`");
    // authenticateToken has checked the user (exists, not disabled) in the same query as the token
    const identity = await authenticateToken(db, match[1]);
    return {
      userId: identity.userId,
      email: identity.email,
      isPlatformAdmin: identity.isPlatformAdmin,
      tokenId: identity.tokenId,
    };
  }
  const session = await currentSession(headers);
  if (!session?.user?.id) return null;
  const actor = await loadActor(db, session.user.id);
  return actor && { ...actor, sessionId: session.sessionId ?? null };
}
