/**
 * The engine as one unit: the operation worker, host health checks and the reconciler. The composition root
 * (server/composition/root.ts) starts it with the services' background work, inside the Next.js server by default
 * (instrumentation.ts) and as `npm run worker` when scaled out; any number may run at once.
 */
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { every } from "@/server/poll-loop";
import { createAdapterProvider, type AdapterSettings } from "@/server/engine/placement/host-adapters";
import { checkHostHealth } from "@/server/engine/placement/host-health";
import { startReconcilers } from "@/server/engine/reconcile/reconciler";
import { OperationWorker } from "@/server/engine/queue/worker";

export interface EngineOptions extends AdapterSettings {
  db: Db;
  /** the snapshot store, built on first use */
  objectStore?: () => ObjectStore;
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
  const worker = new OperationWorker(options.db, {
    adapters,
    objectStore: options.objectStore,
    databaseUrl: options.databaseUrl,
    concurrency: options.concurrency,
    leaseMs: options.leaseMs,
  });
  await worker.start();
  const stopping = new AbortController();
  const reportFailure = (error: unknown, what: string) => logger().error({ err: error }, `${what} failed`);
  const periodic = [
    every(
      stopping.signal,
      options.healthIntervalMs ?? 15_000,
      "host health check",
      () => checkHostHealth(options.db, adapters),
      reportFailure,
    ),
  ];
  const reconcilers =
    options.reconcile === false
      ? null
      : startReconcilers({ db: options.db, adapters, credentialsKey: options.credentialsKey, workerId: worker.id });
  logger().info({ worker: worker.id }, "engine started");
  return {
    worker,
    async stop() {
      stopping.abort();
      await Promise.all(periodic.map((loop) => loop.done));
      await reconcilers?.stop();
      await worker.stop();
    },
  };
}
