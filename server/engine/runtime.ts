/**
 * The engine as one unit: the operation worker, host health checks, the reconciler, snapshot schedules, webhook
 * delivery and the audit chain's anchor. Runs inside the Next.js
 * server by default (instrumentation.ts) and as `npm run worker` when scaled out; any number may run at once.
 */
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import { pollLoop } from "@/server/poll-loop";
import { anchorAuditHead } from "@/server/services/audit/audit-anchor";
import { startWebhookDispatcher } from "@/server/services/notify/webhook-dispatcher";
import { createAdapterProvider, type AdapterSettings } from "@/server/engine/placement/host-adapters";
import { checkHostHealth } from "@/server/engine/placement/host-health";
import { startReconcilers } from "@/server/engine/reconcile/reconciler";
import { runDueSchedules } from "@/server/engine/snapshots/snapshot-schedules";
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
  scheduleIntervalMs?: number;
  /** how often the audit chain's head is copied to the object store (0: never) */
  auditAnchorIntervalMs?: number;
  reconcile?: boolean;
}

export interface Engine {
  worker: OperationWorker;
  stop(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const adapters = createAdapterProvider(options.db, options.credentialsKey, options);
  const worker = new OperationWorker(options.db, { adapters, objectStore: options.objectStore, databaseUrl: options.databaseUrl, concurrency: options.concurrency, leaseMs: options.leaseMs });
  await worker.start();
  const stopping = new AbortController();
  // periodic work, each a loop whose run never overlaps the one before (a slow health check waits its turn); the
  // first run is one period after start, when the hosts registered at start have had their own first check
  const every = (idleMs: number, what: string, step: () => Promise<unknown>) =>
    pollLoop({ signal: stopping.signal, idleMs, maxBackoffMs: idleMs, firstAfterMs: idleMs, step: async () => (await step(), false), onError: (error) => logger().error({ err: error }, `${what} failed`) });
  const periodic = [
    every(options.healthIntervalMs ?? 15_000, "host health check", () => checkHostHealth(options.db, adapters)),
    every(options.scheduleIntervalMs ?? 15_000, "snapshot schedules", () => runDueSchedules(options.db)),
  ];
  const anchorEvery = options.auditAnchorIntervalMs ?? 10_000;
  const store = options.objectStore;
  if (store && anchorEvery > 0) {
    periodic.push(
      every(anchorEvery, "anchoring the audit chain", async () => {
        const outcome = await anchorAuditHead(options.db, store()).catch((error: unknown) => {
          // without an object store there is nothing to anchor to; verification reports that as `unconfigured`
          if (error instanceof AppError && error.code === "NOT_AVAILABLE") return null;
          throw error;
        });
        if (outcome === "behind") logger().error("the audit chain is shorter than its anchored head: rows were removed from its end");
      }),
    );
  }
  const webhooks = startWebhookDispatcher({ db: options.db, credentialsKey: options.credentialsKey });
  const reconcilers = options.reconcile === false ? null : startReconcilers({ db: options.db, adapters, credentialsKey: options.credentialsKey, workerId: worker.id });
  logger().info({ worker: worker.id }, "engine started");
  return {
    worker,
    async stop() {
      stopping.abort();
      await Promise.all(periodic.map((loop) => loop.done));
      await reconcilers?.stop();
      await webhooks.stop();
      await worker.stop();
    },
  };
}
