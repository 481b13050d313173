/**
 * Applies prisma/migrations to a database, recording them in Prisma's own `_prisma_migrations` table so that
 * `prisma migrate deploy` sees the same history. Each migration runs in its own transaction; concurrent starters
 * apply each one once; an applied migration whose file changed is refused rather than silently skipped.
 */
import pg from "pg";
import { randomUUID } from "node:crypto";
import { listMigrations, type MigrationFile } from "./migration-files";

const LOCK_ID = 72_707_369; // arbitrary, fixed: every instance must use the same one

export class MigrationError extends Error {}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

export async function applyMigrations(
  connectionString: string,
  migrations?: MigrationFile[],
): Promise<MigrationReport> {
  const files = migrations ?? (await listMigrations());
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const applied = await inLockedTransaction(client, async () => {
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
      );
      return new Map(rows.map((r) => [r.migration_name, r]));
    });
    checkHistory(files, applied);
    const report: MigrationReport = { applied: [], alreadyApplied: 0 };
    for (const file of files) {
      if (applied.has(file.name) || !(await applyOne(client, file))) report.alreadyApplied += 1;
      else report.applied.push(file.name);
    }
    return report;
  } finally {
    await client.end();
  }
}

/**
 * A transaction-scoped advisory lock serialises concurrent starters on a PostgreSQL server; on PGlite, whose
 * connections share one session (so session locks are re-entrant), an open transaction already holds the others off.
 */
async function inLockedTransaction<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [LOCK_ID]);
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

function checkHistory(files: MigrationFile[], applied: Map<string, AppliedRow>): void {
  const known = new Set(files.map((f) => f.name));
  for (const row of applied.values()) {
    if (!row.finished_at) {
      throw new MigrationError(
        `migration ${row.migration_name} started but never finished; inspect the database and mark it rolled back`,
      );
    }
    if (!known.has(row.migration_name)) {
      throw new MigrationError(
        `the database has migration ${row.migration_name}, which is not in prisma/migrations: is this an older build?`,
      );
    }
  }
  for (const file of files) {
    const row = applied.get(file.name);
    if (row && row.checksum !== file.checksum) {
      throw new MigrationError(
        `migration ${file.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… ≠ ${file.checksum.slice(0, 12)}…); ` +
          "add a new migration instead of editing an applied one",
      );
    }
  }
}

/** Returns false when another starter applied the migration first. */
async function applyOne(client: pg.Client, file: MigrationFile): Promise<boolean> {
  try {
    return await inLockedTransaction(client, async () => {
      const { rowCount } = await client.query(
        `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL`,
        [file.name],
      );
      if (rowCount) return false;
      await client.query(file.sql);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), 1)`,
        [randomUUID(), file.checksum, file.name],
      );
      return true;
    });
  } catch (error) {
    throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`);
  }
}
