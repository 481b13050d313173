import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/server/generated/prisma/client";
import { env } from "@/server/env";

export type Db = PrismaClient;
/** The client a transaction callback receives. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export function createDb(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

const globalForDb = globalThis as unknown as { ovcDb?: PrismaClient };

/** One client per process: Next.js may evaluate this module once per route bundle. */
export function db(): PrismaClient {
  globalForDb.ovcDb ??= createDb(env().DATABASE_URL);
  return globalForDb.ovcDb;
}
