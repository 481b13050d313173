/**
 * Runs operations. Any number of workers, in any number of processes, share the queue in PostgreSQL: each claims
 * due operations with a lease, renews it while working, and hands back a retry (with backoff) or a final result.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";
import type { Db } from "@/server/db/client";
import { translateDbError } from "@/server/db/errors";
import { AppError } from "@/server/universal/errors";
import type { Operation } from "@/server/generated/prisma/client";
import { logger } from "@/server/observability/logger";
import { completeOperationFailed, completeOperationSucceeded, scheduleRetry } from "./complete-operation";
import { EXECUTORS, type ExecutionContext } from "@/server/engine/lifecycle/executors";
import { backoffMs } from "@/server/backoff";
import { pollLoop, type PollLoop } from "@/server/poll-loop";
import { claimNextOperation, LeaseLostError, NOTIFY_CHANNEL, renewLease } from "./operations";
import { isRetryable } from "./retryable";

export interface WorkerOptions {
  adapters: AdapterProvider;
  /** the snapshot store, built on first use */
  objectStore?: () => ObjectStore;
  /** for LISTEN wake-ups; without it the worker only polls */
  databaseUrl?: string;
  id?: string;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  readyTimeoutMs?: number;
  statusPollMs?: number;
  /**
   * Called once an operation's step is recorded, and with COMPLETING_STEP before its success is: the crash test's
   * hook for a worker death at a known point (server/testing/crashing-worker.ts).
   */
  onStep?: (op: Operation, step: string) => Promise<void>;
}

export const COMPLETING_STEP = "completing";

/** takeovers after which an operation counts as the reason its workers die (out of memory, say), and fails */
export const MAX_TAKEOVERS = 10;

export class OperationWorker {
  readonly id: string;
  private readonly options: Required<Omit<WorkerOptions, "databaseUrl" | "id" | "objectStore" | "onStep">> &
    Pick<WorkerOptions, "databaseUrl" | "objectStore" | "onStep">;
  private readonly inflight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private running = false;
  private stopping = new AbortController();
  private poller: PollLoop | null = null;
  private listener: pg.Client | null = null;

  constructor(
    private readonly db: Db,
    options: WorkerOptions,
  ) {
    this.id = options.id ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.options = {
      adapters: options.adapters,
      objectStore: options.objectStore,
      onStep: options.onStep,
      databaseUrl: options.databaseUrl,
      concurrency: options.concurrency ?? 16,
      leaseMs: options.leaseMs ?? 30_000,
      pollMs: options.pollMs ?? 1_000,
      backoffBaseMs: options.backoffBaseMs ?? 1_000,
      backoffCapMs: options.backoffCapMs ?? 30_000,
      readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
      statusPollMs: options.statusPollMs ?? 250,
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.options.databaseUrl) await this.listen(this.options.databaseUrl);
    this.stopping = new AbortController();
    this.poller = pollLoop({
      signal: this.stopping.signal,
      idleMs: this.options.pollMs,
      // claims until every slot is busy, then waits for a slot to free, a NOTIFY or the next poll
      step: async () => {
        while (this.running && this.inflight.size < this.options.concurrency) {
          const op = await claimNextOperation(this.db, this.id, this.options.leaseMs);
          if (!op) break;
          this.track(op);
        }
        return false;
      },
      onError: (error) =>
        logger().error({ err: translateDbError(error), worker: this.id }, "worker: claiming failed; backing off"),
    });
  }

  /** Stops claiming, lets running operations finish their current attempt, and returns when they have. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.poller?.done;
    await Promise.all([...this.inflight.values()].map((i) => i.promise));
    await this.listener
      ?.end()
      .catch((error: unknown) => logger().warn({ err: error }, "worker: closing LISTEN connection failed"));
    this.listener = null;
  }

  private async listen(databaseUrl: string): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on("notification", () => this.poller?.wake());
    client.on("error", (error) =>
      logger().warn({ err: error, worker: this.id }, "worker: LISTEN connection lost; polling only"),
    );
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.listener = client;
  }

  private track(op: Operation): void {
    const abort = new AbortController();
    const promise = this.execute(op, abort).finally(() => {
      this.inflight.delete(op.id);
      this.poller?.wake();
    });
    this.inflight.set(op.id, { promise, abort });
  }

  private async execute(op: Operation, abort: AbortController): Promise<void> {
    const log = logger().child({
      worker: this.id,
      operation: op.id,
      kind: op.kind,
      vcluster: op.vclusterName,
      attempt: op.attempts,
    });
    const renew = setInterval(
      () => {
        renewLease(this.db, op.id, this.id, this.options.leaseMs).catch((error: unknown) => {
          log.warn({ err: error }, "lease renewal failed; abandoning the attempt");
          abort.abort();
        });
      },
      Math.max(this.options.leaseMs / 3, 50),
    );
    try {
      if (op.takeovers > MAX_TAKEOVERS) {
        throw new AppError(
          "INTERNAL",
          `the workers running this operation stopped ${op.takeovers} times before it finished; it is failed so that it takes down no more of them`,
        );
      }
      const executor = EXECUTORS[op.kind];
      if (!executor)
        throw new AppError("NOT_AVAILABLE", `${op.kind.toLowerCase()} operations are not available in this version`);
      const vcluster = op.vclusterId ? await this.db.vCluster.findUnique({ where: { id: op.vclusterId } }) : null;
      if (!vcluster?.hostClusterId)
        throw new AppError("PRECONDITION_FAILED", `vcluster ${op.vclusterName} has no host cluster`);
      const ctx: ExecutionContext = {
        db: this.db,
        op,
        workerId: this.id,
        vcluster,
        adapter: await this.options.adapters.forHost(vcluster.hostClusterId),
        signal: abort.signal,
        readyTimeoutMs: this.options.readyTimeoutMs,
        statusPollMs: this.options.statusPollMs,
        store: () => {
          if (!this.options.objectStore)
            throw new AppError("NOT_AVAILABLE", "snapshots need an S3 store, and none is configured");
          return this.options.objectStore();
        },
        setStep: async (step, progress) => {
          await this.db.operation.updateMany({ where: { id: op.id, claimedBy: this.id }, data: { step, progress } });
          await this.options.onStep?.(op, step);
        },
      };
      const patch = await executor(ctx);
      if (abort.signal.aborted) throw new LeaseLostError(op.id);
      await this.options.onStep?.(op, COMPLETING_STEP);
      await completeOperationSucceeded(this.db, op, this.id, patch);
      log.info("operation succeeded");
      await patch
        .afterCommit?.()
        .catch((error: unknown) => log.warn({ err: error }, "follow-up work after the operation failed"));
    } catch (raw) {
      await this.handleFailure(op, translateDbError(raw), log);
    } finally {
      clearInterval(renew);
    }
  }

  private async handleFailure(op: Operation, error: unknown, log: ReturnType<typeof logger>): Promise<void> {
    if (error instanceof LeaseLostError) {
      log.warn("lease lost; another worker owns the operation now");
      return;
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    try {
      if (isRetryable(failure) && op.attempts < op.maxAttempts) {
        const delay = backoffMs(op.attempts, this.options.backoffBaseMs, this.options.backoffCapMs);
        log.warn({ err: failure, retryInMs: delay }, "operation attempt failed; retrying");
        await scheduleRetry(this.db, op, this.id, failure, delay);
      } else {
        log.error({ err: failure }, "operation failed");
        await completeOperationFailed(this.db, op, this.id, failure);
      }
    } catch (secondary) {
      if (secondary instanceof LeaseLostError) log.warn("lease lost while recording the failure");
      else
        log.error(
          { err: secondary },
          "could not record the operation's failure; its lease will expire and it will be retried",
        );
    }
  }
}
