import { db } from "@/server/db/client";
import { env } from "@/server/env";
import { startEngine, type Engine } from "./runtime";

/** The engine configured from the process environment, as the server and `npm run worker` run it. */
export function startEngineFromEnv(): Promise<Engine> {
  const e = env();
  return startEngine({
    db: db(),
    databaseUrl: e.DATABASE_URL,
    credentialsKey: e.HOST_CREDENTIALS_KEY,
    installer: e.VCLUSTER_INSTALLER,
    concurrency: e.ENGINE_CONCURRENCY,
    leaseMs: e.ENGINE_LEASE_MS,
  });
}
