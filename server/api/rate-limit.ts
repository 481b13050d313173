/** Per-caller limit on mutations, counted in PostgreSQL (server/db/rate-limiter.ts) so every instance shares one budget. */
import { RateLimiterRes } from "rate-limiter-flexible";
import { limiterFor } from "@/server/db/rate-limiter";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { mutationsPerMinuteSchema } from "@/server/env";
import { AppError } from "@/server/errors";

/** A token has its own budget, so a runaway script does not lock its owner out of the browser. */
export function rateLimitKeyOf(actor: Actor): string {
  return actor.tokenId ? `token:${actor.tokenId}` : `user:${actor.userId}`;
}

/** Counts one mutation against the caller's budget for the current minute; over it, RATE_LIMITED with the wait. */
export async function limitMutation(db: Db, actor: Actor): Promise<void> {
  const points = mutationsPerMinuteSchema.parse(process.env.RATE_LIMIT_MUTATIONS_PER_MINUTE);
  try {
    await limiterFor(db, "mutations", points, 60).consume(rateLimitKeyOf(actor));
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError("RATE_LIMITED", `too many changes: at most ${points} per minute; retry in ${retryAfter} s`, { retryAfter });
  }
}
