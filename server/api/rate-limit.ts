/** Per-caller limit on mutations, counted in PostgreSQL (server/db/rate-limiter.ts) so every instance shares one budget. */
import { RateLimiterRes } from "rate-limiter-flexible";
import { limiterFor } from "@/server/db/rate-limiter";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { hostReadsPerMinuteSchema, mutationsPerMinuteSchema } from "@/server/env";
import { AppError } from "@/server/universal/errors";

/** One budget per person, whatever token or session they use: making tokens must not multiply it. */
export function rateLimitKeyOf(actor: Actor): string {
  return `user:${actor.userId}`;
}

async function spend(db: Db, actor: Actor, prefix: string, points: number, what: string): Promise<void> {
  try {
    await limiterFor(db, prefix, points, 60).consume(rateLimitKeyOf(actor));
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError("RATE_LIMITED", `too many ${what}: at most ${points} per minute; retry in ${retryAfter} s`, {
      retryAfter,
    });
  }
}

/** Counts one mutation against the caller's budget for the current minute; over it, RATE_LIMITED with the wait. */
export function limitMutation(db: Db, actor: Actor): Promise<void> {
  return spend(
    db,
    actor,
    "mutations",
    mutationsPerMinuteSchema.parse(process.env.RATE_LIMIT_MUTATIONS_PER_MINUTE),
    "changes",
  );
}

/** Reads that go to a host cluster (a vcluster's events, a restore preview) have a budget of their own. */
export function limitHostRead(db: Db, actor: Actor): Promise<void> {
  return spend(
    db,
    actor,
    "host-reads",
    hostReadsPerMinuteSchema.parse(process.env.RATE_LIMIT_HOST_READS_PER_MINUTE),
    "reads of host clusters",
  );
}
