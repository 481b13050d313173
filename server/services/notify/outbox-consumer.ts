/**
 * Consumes the engine's outbox (server/engine/events/outbox.ts): each event is handled in one transaction that also
 * marks it processed, so its notifications and webhook deliveries exist exactly once. One instance drains at a
 * time (an advisory lock), in event order, so a cluster's CREATING is told before its RUNNING. A handling that
 * fails is kept with its error and tried again after a back-off; the events behind it go on.
 */
import { backoffMs } from "@/server/backoff";
import type { Db, Tx } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import type { DomainEvent, VClusterEvent } from "@/server/engine/events/outbox";
import { recordClusterEvent } from "./cluster-events";

const OUTBOX_LOCK = 72_707_372;

type Handlers = {
  [K in DomainEvent["kind"]]: (tx: Tx, payload: Extract<DomainEvent, { kind: K }>["payload"]) => Promise<unknown>;
};

const HANDLERS: Handlers = {
  "vcluster.phase_changed": (tx, payload: VClusterEvent) => recordClusterEvent(tx, payload),
  "vcluster.failed": (tx, payload: VClusterEvent) => recordClusterEvent(tx, payload),
};

function isKnown(kind: string): kind is DomainEvent["kind"] {
  return kind in HANDLERS;
}

/**
 * Handles the next due event; true when there was one (handled or failed), so the caller goes on at once. False
 * when there is none, or another instance is draining.
 */
export async function consumeNextEvent(db: Db, now = new Date()): Promise<boolean> {
  let claimed: { id: bigint; attempts: number } | null = null;
  try {
    return await db.$transaction(async (tx) => {
      const [{ locked }] = await tx.$queryRaw<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_xact_lock(${OUTBOX_LOCK}) AS locked`;
      if (!locked) return false;
      const rows = await tx.$queryRaw<{ id: bigint; kind: string; payload: unknown; attempts: number }[]>`
        SELECT id, kind, payload, attempts FROM "OutboxEvent"
         WHERE "processedAt" IS NULL AND "availableAt" <= ${now}
         ORDER BY id LIMIT 1`;
      const event = rows[0];
      if (!event) return false;
      claimed = event;
      if (!isKnown(event.kind)) throw new Error(`no consumer handles ${event.kind} events`);
      await (HANDLERS[event.kind] as (tx: Tx, payload: unknown) => Promise<unknown>)(tx, event.payload);
      await tx.outboxEvent.update({
        where: { id: event.id },
        data: { processedAt: new Date(), attempts: { increment: 1 }, lastError: null },
      });
      return true;
    });
  } catch (error) {
    const failed = claimed as { id: bigint; attempts: number } | null;
    if (!failed) throw error;
    const attempts = failed.attempts + 1;
    const retryInMs = backoffMs(attempts, 1_000, 300_000);
    await db.outboxEvent.update({
      where: { id: failed.id },
      data: {
        attempts,
        lastError: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
        availableAt: new Date(now.getTime() + retryInMs),
      },
    });
    logger().error(
      { err: error, outboxEvent: failed.id.toString(), attempts, retryInMs },
      "handling an outbox event failed; it is tried again later",
    );
    return true;
  }
}
