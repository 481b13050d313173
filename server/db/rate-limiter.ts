/**
 * Budgets counted in PostgreSQL (`rate_limits`), so every instance shares them. rate-limiter-flexible's PostgreSQL
 * limiter talks to the database through the caller's own Prisma client: the count lands in whichever database the
 * caller serves, and no second connection pool is opened.
 */
import { RateLimiterPostgres } from "rate-limiter-flexible";
import type { Db } from "./client";

interface QueryResult {
  rows: { points: number; expire: number | null }[];
  rowCount: number;
}

/** The slice of a `pg` client the limiter calls, served by Prisma; bigint columns come back as numbers it can do arithmetic on. */
function storeClientOf(db: Db) {
  return {
    async query(query: { text: string; values?: unknown[] }): Promise<QueryResult> {
      const rows = await db.$queryRawUnsafe<{ points: number | bigint; expire: number | bigint | null }[]>(
        query.text,
        ...(query.values ?? []),
      );
      return {
        rows: rows.map((row) => ({
          points: Number(row.points),
          expire: row.expire === null ? null : Number(row.expire),
        })),
        rowCount: rows.length,
      };
    },
  };
}

const limiters = new WeakMap<Db, Map<string, RateLimiterPostgres>>();

/** One limiter per database, budget and window, kept for the process (each holds only its settings). */
export function limiterFor(db: Db, keyPrefix: string, points: number, durationSeconds: number): RateLimiterPostgres {
  let byKey = limiters.get(db);
  if (!byKey) {
    byKey = new Map();
    limiters.set(db, byKey);
  }
  const id = `${keyPrefix}/${points}/${durationSeconds}`;
  let limiter = byKey.get(id);
  if (!limiter) {
    limiter = new RateLimiterPostgres({
      storeClient: storeClientOf(db),
      storeType: "client",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix,
      points,
      duration: durationSeconds,
    });
    byKey.set(id, limiter);
  }
  return limiter;
}
