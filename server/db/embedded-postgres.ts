/**
 * Zero-setup PostgreSQL: PGlite (PostgreSQL compiled to WASM) served over the wire protocol on 127.0.0.1, so the
 * same `pg` driver and Prisma adapter talk to it as to a real server, with a password (the URL carries it).
 * PGlite has one backend session: while one connection holds a transaction the others queue behind it, so code
 * inside a transaction must use that transaction's client only, or it waits for itself.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { serveOverWire } from "./pglite-wire";

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: {
  /** directory to persist into; null keeps everything in memory */
  dataDir: string | null;
  port?: number;
  /** what every client must give (SCRAM-SHA-256); a fresh random one when not given */
  password?: string;
}): Promise<EmbeddedPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? undefined);
  const password = options.password ?? randomBytes(24).toString("base64url");
  const wire = await serveOverWire(db, "127.0.0.1", options.port ?? 0, password);
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${wire.port}/postgres?sslmode=disable`,
    async stop() {
      await wire.close();
      await db.close();
    },
  };
}
