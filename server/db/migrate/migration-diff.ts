/**
 * Writes the next migration: the SQL that takes a database from the committed migrations to prisma/schema.prisma.
 * Prisma's own `migrate dev` needs a native engine that cannot be downloaded here, so this drives the WASM schema
 * engine against the PostgreSQL server at DATABASE_URL, on which it creates and drops a shadow database.
 * Usage: DATABASE_URL=postgresql://… npm run db:diff -- <name>
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { listMigrations, MIGRATIONS_DIR } from "./migration-files";

const SCHEMA_PATH = path.resolve("prisma/schema.prisma");

/** The package's entry imports its .wasm as an ES module, which Node 20 cannot; instantiate it by hand. */
async function loadSchemaEngine(): Promise<typeof engineBindings.SchemaEngine> {
  const bindingsPath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmPath = path.join(path.dirname(bindingsPath), "schema_engine_bg.wasm");
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
    "./schema_engine_bg.js": engineBindings as unknown as WebAssembly.ModuleImports,
  });
  engineBindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return engineBindings.SchemaEngine;
}

function migrationTimestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;
interface PgFields {
  fields: { dataTypeID: number }[];
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * Two fixes to the pg adapter for the schema engine: scripts run whole (see below), and pg_catalog columns of
 * Postgres' one-byte `"char"` type, which the adapter refuses as unsupported, are presented as the strings they are.
 */
function patchAdapter(adapter: PgAdapter): PgAdapter {
  // The adapter splits scripts on every ";", which cuts function bodies ($$ … $$) apart; PostgreSQL's simple
  // query protocol runs a whole multi-statement script as it is.
  const raw = adapter as unknown as {
    client: { query(sql: string): Promise<unknown> };
    onError(error: unknown): never;
  };
  adapter.executeScript = async (script) => {
    try {
      await raw.client.query(script);
    } catch (error) {
      raw.onError(error);
    }
  };
  const io = adapter as unknown as { performIO(query: unknown): Promise<PgFields> };
  const performIO = io.performIO.bind(adapter);
  io.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
  return adapter;
}

/**
 * The adapter's own shadow database is dropped while its pool still holds a connection, which PostgreSQL refuses;
 * this one closes the pool first.
 */
function adapterFactoryFor(config: PoolConfig): PrismaPg {
  const factory = new PrismaPg(config);
  const connect = async () => patchAdapter(await new PrismaPg(config).connect());
  factory.connect = connect;
  factory.connectToShadowDb = async () => {
    const main = await connect();
    const database = `ovc_shadow_${randomUUID().replaceAll("-", "")}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = patchAdapter(await new PrismaPg({ ...config, database }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await main.executeScript(`DROP DATABASE "${database}"`);
      await main.dispose();
    };
    return shadow;
  };
  return factory;
}

/** The adapter's shadow database overrides `database`, which a connectionString would silently win over. */
interface PoolConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

function poolConfigOf(url: string): PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1) || "postgres",
  };
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error("usage: npm run db:diff -- <name>   (name: lower-case letters, digits, underscores)");
    process.exit(2);
  }
  // The engine replays the migrations into a shadow database it creates, which PGlite (one database) cannot host.
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("set DATABASE_URL to a PostgreSQL server the engine may create a scratch database on");
    process.exit(2);
  }
  const registry: Record<string, unknown> = {};
  (globalThis as unknown as { PRISMA_WASM_PANIC_REGISTRY: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
    set_message: (message: string) => {
      registry.message = message;
    },
  };
  try {
    const schema = await readFile(SCHEMA_PATH, "utf8");
    const migrations = await listMigrations();
    const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactoryFor(poolConfigOf(url)));
    const SchemaEngine = await loadSchemaEngine();
    const engine = await SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] }, (log: string) => void log, adapter);
    const result = await engine.diff({
      from: {
        tag: "migrations",
        baseDir: MIGRATIONS_DIR,
        lockfile: { path: "migration_lock.toml", content: 'provider = "postgresql"\n' },
        shadowDbInitScript: "",
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: "migration.sql", content: { tag: "ok", value: m.sql } },
        })),
      },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? "";
    if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
      console.log("schema.prisma matches the migrations; nothing written");
      return;
    }
    const dir = path.join(MIGRATIONS_DIR, `${migrationTimestamp(new Date())}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "migration.sql"), sql);
    console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  } catch (error) {
    if (registry.message) console.error(`schema engine panic: ${String(registry.message)}`);
    throw error;
  }
}

await main();
