/**
 * Per-caller limit on mutations, counted in PostgreSQL (`rate_limits`) so every instance shares one budget.
 * rate-limiter-flexible's PostgreSQL limiter talks to the database through the request's own Prisma client: the
 * count lands in whichever database the context serves, and no second connection pool is opened.
 */
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { mutationsPerMinuteSchema } from "@/server/env";
import { AppError } from "@/server/errors";

interface QueryResult {
  rows: { points: number; expire: number | null }[];
  rowCount: number;
}

/** The slice of a `pg` client the limiter calls, served by Prisma; bigint columns come back as numbers it can do arithmetic on. */
function storeClientOf(db: Db) {
  return {
    async query(query: { text: string; values?: unknown[] }): Promise<QueryResult> {
      const rows = await db.$queryRawUnsafe<{ points: number | bigint; expire: number | bigint | null }[]>(query.text, ...(query.values ?? []));
      return {
        rows: rows.map((row) => ({ points: Number(row.points), expire: row.expire === null ? null : Number(row.expire) })),
        rowCount: rows.length,
      };
    },
  };
}

const limiters = new WeakMap<Db, Map<number, RateLimiterPostgres>>();

function limiterFor(db: Db, points: number): RateLimiterPostgres {
  let byPoints = limiters.get(db);
  if (!byPoints) {
    byPoints = new Map();
    limiters.set(db, byPoints);
  }
  let limiter = byPoints.get(points);
  if (!limiter) {
    limiter = new RateLimiterPostgres({
      storeClient: storeClientOf(db),
      storeType: "client",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: "mutations",
      points,
      duration: 60,
    });
    byPoints.set(points, limiter);
  }
  return limiter;
}

/** A token has its own budget, so a runaway script does not lock its owner out of the browser. */
export function rateLimitKeyOf(actor: Actor): string {
  return actor.tokenId ? `token:${actor.tokenId}` : `user:${actor.userId}`;
}

/** Counts one mutation against the caller's budget for the current minute; over it, RATE_LIMITED with the wait. */
export async function limitMutation(db: Db, actor: Actor): Promise<void> {
  const points = mutationsPerMinuteSchema.parse(process.env.RATE_LIMIT_MUTATIONS_PER_MINUTE);
  try {
    await limiterFor(db, points).consume(rateLimitKeyOf(actor));
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError("RATE_LIMITED", `too many changes: at most ${points} per minute; retry in ${retryAfter} s`, { retryAfter });
  }
}
