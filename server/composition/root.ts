/**
 * The composition root: the one place that wires a portal process's background work. The engine (operation
 * workers, host health, reconcilers) knows nothing of the services; the services' own loops — the outbox consumer
 * that turns the engine's events into notifications and webhook deliveries, webhook delivery, scheduled snapshots
 * and anchoring the audit chain — are started beside it here.
 */
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import { every, pollLoop, type PollLoop } from "@/server/poll-loop";
import { startEngine, type Engine, type EngineOptions } from "@/server/engine/runtime";
import { anchorAuditHead } from "@/server/services/audit/audit-anchor";
import { consumeNextEvent } from "@/server/services/notify/outbox-consumer";
import { startWebhookDispatcher } from "@/server/services/notify/webhook-dispatcher";
import { runDueSchedules } from "@/server/services/snapshots/schedules";

export interface BackgroundOptions extends EngineOptions {
  scheduleIntervalMs?: number;
  /** how often the audit chain's head is copied to the object store (0: never) */
  auditAnchorIntervalMs?: number;
  /** how long the outbox consumer waits when it found nothing */
  outboxPollMs?: number;
}

export interface Background {
  engine: Engine;
  stop(): Promise<void>;
}

const reportFailure = (error: unknown, what: string) => logger().error({ err: error }, `${what} failed`);

export async function startBackground(options: BackgroundOptions): Promise<Background> {
  const engine = await startEngine(options);
  const stopping = new AbortController();
  const loops: PollLoop[] = [
    pollLoop({
      signal: stopping.signal,
      idleMs: options.outboxPollMs ?? 500,
      step: () => consumeNextEvent(options.db),
      onError: (error) => reportFailure(error, "consuming the outbox"),
    }),
    every(
      stopping.signal,
      options.scheduleIntervalMs ?? 15_000,
      "snapshot schedules",
      () => runDueSchedules(options.db),
      reportFailure,
    ),
  ];
  const anchorEvery = options.auditAnchorIntervalMs ?? 10_000;
  const store = options.objectStore;
  if (store && anchorEvery > 0) {
    loops.push(
      every(
        stopping.signal,
        anchorEvery,
        "anchoring the audit chain",
        async () => {
          const outcome = await anchorAuditHead(options.db, store()).catch((error: unknown) => {
            // without an object store there is nothing to anchor to; verification reports that as `unconfigured`
            if (error instanceof AppError && error.code === "NOT_AVAILABLE") return null;
            throw error;
          });
          if (outcome === "behind")
            logger().error("the audit chain is shorter than its anchored head: rows were removed from its end");
        },
        reportFailure,
      ),
    );
  }
  const webhooks = startWebhookDispatcher({ db: options.db, credentialsKey: options.credentialsKey });
  return {
    engine,
    async stop() {
      stopping.abort();
      await Promise.all(loops.map((loop) => loop.done));
      await webhooks.stop();
      await engine.stop();
    },
  };
}
