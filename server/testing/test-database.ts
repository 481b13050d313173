import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "@/server/db/client";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { applyMigrations } from "@/server/db/migrate/apply-migrations";

export interface TestDatabase {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a new database on the server at DATABASE_URL when it is set
 * (CI's PostgreSQL), otherwise an in-memory embedded PostgreSQL.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const { url, drop } = await createEmptyDatabase();
  if (options.migrate !== false) await applyMigrations(url);
  const db = createDb(url);
  return {
    url,
    db,
    async close() {
      await db.$disconnect();
      await drop();
    },
  };
}

export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: null });
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const name = `ovc_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
