import { rowsOf } from "@/server/testing/pg-rows";
import { mkdtemp, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { createEmptyDatabase } from "@/server/testing/test-database";
import { applyMigrations, MigrationError } from "./apply-migrations";
import { listMigrations } from "./migration-files";

const engines: { name: string; create: () => Promise<{ url: string; drop(): Promise<void> }> }[] = [
  {
    name: "embedded PGlite",
    create: async () => {
      const e = await startEmbeddedPostgres({ dataDir: null });
      return { url: e.url, drop: () => e.stop() };
    },
  },
];
if (process.env.DATABASE_URL) engines.push({ name: "PostgreSQL server", create: createEmptyDatabase });

describe.each(engines)("migrations on $name", ({ create }) => {
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });

  it("applies every migration to an empty database, then is a no-op", async () => {
    const { url, drop } = await create();
    drops.push(drop);
    const files = await listMigrations();
    expect(files.length).toBeGreaterThan(0);

    const first = await applyMigrations(url);
    expect(first.applied).toEqual(files.map((f) => f.name));
    const tables = await rowsOf<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["User", "VCluster", "Operation", "AuditLog", "_prisma_migrations"]),
    );
    const recorded = await rowsOf<{ migration_name: string; checksum: string }>(
      url,
      `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(recorded).toEqual(files.map((f) => ({ migration_name: f.name, checksum: f.checksum })));

    const second = await applyMigrations(url);
    expect(second).toEqual({ applied: [], alreadyApplied: files.length });
    expect(await rowsOf(url, `SELECT 1 FROM "_prisma_migrations"`)).toHaveLength(files.length);
  });

  it("refuses a migration that changed after it was applied, naming it", async () => {
    const { url, drop } = await create();
    drops.push(drop);
    const dir = await mkdtemp(path.join(tmpdir(), "ovc-migrations-"));
    await mkdir(path.join(dir, "20260101000000_first"));
    await writeFile(path.join(dir, "20260101000000_first/migration.sql"), "CREATE TABLE first_table (id int);");
    await applyMigrations(url, await listMigrations(dir));

    await writeFile(path.join(dir, "20260101000000_first/migration.sql"), "CREATE TABLE first_table (id bigint);");
    await expect(applyMigrations(url, await listMigrations(dir))).rejects.toThrow(
      /migration 20260101000000_first was changed after it was applied/,
    );
  });

  it("rolls back a failing migration completely and records nothing", async () => {
    const { url, drop } = await create();
    drops.push(drop);
    const dir = await mkdtemp(path.join(tmpdir(), "ovc-migrations-"));
    await mkdir(path.join(dir, "20260101000000_broken"));
    await writeFile(
      path.join(dir, "20260101000000_broken/migration.sql"),
      "CREATE TABLE half (id int); SELECT no_such_function();",
    );
    await expect(applyMigrations(url, await listMigrations(dir))).rejects.toBeInstanceOf(MigrationError);
    expect(await rowsOf(url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half'")).toHaveLength(0);
    expect(await rowsOf(url, `SELECT 1 FROM "_prisma_migrations"`)).toHaveLength(0);
  });

  it("lets two starters race without applying anything twice", async () => {
    const { url, drop } = await create();
    drops.push(drop);
    const [a, b] = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    const files = await listMigrations();
    expect(a.applied.length + b.applied.length).toBe(files.length);
    expect(await rowsOf(url, `SELECT 1 FROM "_prisma_migrations"`)).toHaveLength(files.length);
  });
});
