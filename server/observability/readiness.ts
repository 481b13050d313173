import type { Db } from "@/server/db/client";
import { listMigrations } from "@/server/db/migrate/migration-files";
import { logger } from "./logger";

export interface Readiness {
  ready: boolean;
  checks: { database: "ok" | "unreachable"; migrations: "ok" | "pending" | "unknown" };
  pendingMigrations: string[];
}

async function appliedMigrations(db: Db): Promise<Set<string>> {
  const [{ exists }] = await db.$queryRaw<{ exists: boolean }[]>`
    SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`;
  if (!exists) return new Set();
  const rows = await db.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  return new Set(rows.map((r) => r.migration_name));
}

export async function checkReadiness(db: Db): Promise<Readiness> {
  let applied: Set<string>;
  try {
    applied = await appliedMigrations(db);
  } catch (error) {
    logger().warn({ err: error }, "readiness: database unreachable");
    return { ready: false, checks: { database: "unreachable", migrations: "unknown" }, pendingMigrations: [] };
  }
  const pending = (await listMigrations()).map((m) => m.name).filter((name) => !applied.has(name));
  return {
    ready: pending.length === 0,
    checks: { database: "ok", migrations: pending.length === 0 ? "ok" : "pending" },
    pendingMigrations: pending,
  };
}
