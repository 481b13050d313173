/**
 * The engine as one unit: the operation worker, host health checks, the reconciler and webhook delivery. Runs inside the Next.js
 * server by default (instrumentation.ts) and as `npm run worker` when scaled out; any number may run at once.
 */
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { startWebhookDispatcher } from "@/server/services/notify/webhook-dispatcher";
import { createAdapterProvider, type AdapterSettings } from "./host-adapters";
import { checkHostHealth } from "./host-health";
import { startReconcilers } from "./reconciler";
import { OperationWorker } from "./worker";

export interface EngineOptions extends AdapterSettings {
  db: Db;
  databaseUrl: string;
  credentialsKey: string;
  concurrency?: number;
  leaseMs?: number;
  healthIntervalMs?: number;
  reconcile?: boolean;
}

export interface Engine {
  worker: OperationWorker;
  stop(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const adapters = createAdapterProvider(options.db, options.credentialsKey, options);
  const worker = new OperationWorker(options.db, { adapters, databaseUrl: options.databaseUrl, concurrency: options.concurrency, leaseMs: options.leaseMs });
  await worker.start();
  const health = setInterval(() => {
    checkHostHealth(options.db, adapters).catch((error: unknown) => logger().error({ err: error }, "host health check failed"));
  }, options.healthIntervalMs ?? 15_000);
  const webhooks = startWebhookDispatcher({ db: options.db, credentialsKey: options.credentialsKey });
  const reconcilers = options.reconcile === false ? null : startReconcilers({ db: options.db, adapters, credentialsKey: options.credentialsKey, workerId: worker.id });
  logger().info({ worker: worker.id }, "engine started");
  return {
    worker,
    async stop() {
      clearInterval(health);
      await reconcilers?.stop();
      await webhooks.stop();
      await worker.stop();
    },
  };
}
