import type { ObjectStore } from "@/server/adapters/s3/object-store";
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import { db } from "@/server/db/client";
import { env } from "@/server/env";
import { chartFromEnv } from "@/server/adapters/helm/chart-source";
import { logger } from "@/server/observability/logger";
import { startBackground, type Background } from "./root";

/** The background work configured from the process environment, as the server and `npm run worker` run it. */
export function startBackgroundFromEnv(): Promise<Background> {
  const e = env();
  let store: ObjectStore | null = null;
  return startBackground({
    objectStore: () => (store ??= objectStoreFrom(e)),
    db: db(),
    databaseUrl: e.DATABASE_URL,
    credentialsKey: e.HOST_CREDENTIALS_KEY,
    chart: chartFromEnv(e),
    concurrency: e.ENGINE_CONCURRENCY,
    leaseMs: e.ENGINE_LEASE_MS,
    auditAnchorIntervalMs: e.AUDIT_ANCHOR_INTERVAL_MS,
  });
}

/** Starts the background work and stops it cleanly (current attempts finish, leases are kept honest) on SIGINT/SIGTERM. */
export async function runUntilSignalled(): Promise<Background> {
  const engine = await startBackgroundFromEnv();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      logger().info({ signal }, "engine stopping");
      engine.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger().error({ err: error }, "engine did not stop cleanly");
          process.exit(1);
        },
      );
    });
  }
  return engine;
}
