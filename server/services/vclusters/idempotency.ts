import { createHash } from "node:crypto";

/**
 * A caller's idempotency key as it is stored: bound to who asked and for what (project, or vcluster), so a key that
 * another tenant happens to use, or guesses, can never replay their request or reveal its result.
 */
export function scopedIdempotencyKey(actorId: string, scope: string, key: string | undefined | null): string | null {
  if (!key) return null;
  return `v1:${createHash("sha256").update(`${actorId}\u0000${scope}\u0000${key}`).digest("hex")}`;
}
