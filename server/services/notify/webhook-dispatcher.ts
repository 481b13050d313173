/**
 * Sends queued webhook deliveries. Any number of instances may run one: each claims a due delivery with
 * FOR UPDATE SKIP LOCKED and pushes its next attempt time out by a lease, so a crashed sender's delivery comes due
 * again instead of being lost, and no two senders post the same attempt.
 */
import http from "node:http";
import https from "node:https";
import { backoffMs } from "@/server/backoff";
import { pollLoop } from "@/server/poll-loop";
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { unseal } from "@/server/security/seal";
import { filteringAgent } from "./webhook-target";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody } from "./webhook-signature";

export interface WebhookDispatcherOptions {
  db: Db;
  credentialsKey: string;
  pollMs?: number;
  /** attempts before a delivery is given up as failed */
  maxAttempts?: number;
  /** per request; the receiver must answer within it */
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** parallel senders in this instance */
  concurrency?: number;
}

const DEFAULTS = {
  pollMs: 1_000,
  maxAttempts: 8,
  timeoutMs: 10_000,
  backoffBaseMs: 5_000,
  backoffCapMs: 3_600_000,
  concurrency: 4,
};

interface Claimed {
  id: string;
  attempts: number;
}

export async function claimDueDelivery(db: Db, leaseMs: number): Promise<Claimed | null> {
  const rows = await db.$queryRaw<Claimed[]>`
    UPDATE "WebhookDelivery"
       SET attempts = attempts + 1, "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond'
     WHERE id = (
       SELECT d.id FROM "WebhookDelivery" d JOIN "Webhook" w ON w.id = d."webhookId"
        WHERE d."deliveredAt" IS NULL AND d."failedAt" IS NULL AND d."nextAttemptAt" <= now() AND w.active
        ORDER BY d."nextAttemptAt"
        LIMIT 1
        FOR UPDATE OF d SKIP LOCKED)
    RETURNING id, attempts`;
  return rows[0] ?? null;
}

interface AttemptOutcome {
  responseCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * What the delivery log may say when no HTTP answer came: one reason for refused, reset, unresolvable, timed out
 * and not allowed alike, so the log cannot be used to tell open ports from closed ones. The cause goes to the
 * portal's own log.
 */
export const NO_ANSWER = "no HTTP answer from the receiver";

async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const send = target.protocol === "https:" ? https.request : http.request;
  return new Promise<AttemptOutcome>((resolve) => {
    // Redirects are not followed (node's request never does): the signed body goes only where the owner said.
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        agent: filteringAgent(target),
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        resolve({ responseCode: status, error: ok ? null : `HTTP ${status}`, durationMs: elapsed() });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => {
      logger().info({ host: target.host, reason: error.message }, "webhook delivery: no HTTP answer");
      resolve({ responseCode: null, error: NO_ANSWER, durationMs: elapsed() });
    });
    req.end(body);
  });
}

/** One attempt at one claimed delivery, recorded in its log; a stale claim (another sender took over) records nothing. */
export async function sendClaimedDelivery(
  db: Db,
  claimed: Claimed,
  options: Required<Omit<WebhookDispatcherOptions, "db" | "pollMs" | "concurrency">>,
): Promise<void> {
  const delivery = await db.webhookDelivery.findUniqueOrThrow({
    where: { id: claimed.id },
    select: {
      id: true,
      event: true,
      payload: true,
      webhook: { select: { id: true, url: true, secretEncrypted: true } },
    },
  });
  const body = JSON.stringify(delivery.payload);
  const outcome = await post(
    delivery.webhook.url,
    {
      "content-type": "application/json",
      "user-agent": "open-vcluster-webhooks/1",
      [EVENT_HEADER]: delivery.event,
      [DELIVERY_HEADER]: delivery.id,
      [SIGNATURE_HEADER]: signWebhookBody(unseal(delivery.webhook.secretEncrypted, options.credentialsKey), body),
    },
    body,
    options.timeoutMs,
  );
  const delivered = outcome.error === null;
  const exhausted = !delivered && claimed.attempts >= options.maxAttempts;
  const now = new Date();
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhookDelivery.updateMany({
      where: { id: claimed.id, attempts: claimed.attempts, deliveredAt: null, failedAt: null },
      data: {
        responseCode: outcome.responseCode,
        lastError: outcome.error,
        deliveredAt: delivered ? now : undefined,
        failedAt: exhausted ? now : undefined,
        nextAttemptAt:
          delivered || exhausted
            ? undefined
            : new Date(now.getTime() + backoffMs(claimed.attempts, options.backoffBaseMs, options.backoffCapMs)),
      },
    });
    if (count === 0) return;
    await tx.webhookDeliveryAttempt.create({
      data: { deliveryId: claimed.id, attempt: claimed.attempts, at: now, ...outcome },
    });
  });
  if (!delivered) {
    logger().warn(
      {
        deliveryId: claimed.id,
        webhookId: delivery.webhook.id,
        attempt: claimed.attempts,
        responseCode: outcome.responseCode,
        gaveUp: exhausted,
      },
      "webhook delivery attempt failed",
    );
  }
}

export function startWebhookDispatcher(options: WebhookDispatcherOptions): { stop(): Promise<void> } {
  const settings: Required<WebhookDispatcherOptions> = {
    db: options.db,
    credentialsKey: options.credentialsKey,
    pollMs: options.pollMs ?? DEFAULTS.pollMs,
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    backoffBaseMs: options.backoffBaseMs ?? DEFAULTS.backoffBaseMs,
    backoffCapMs: options.backoffCapMs ?? DEFAULTS.backoffCapMs,
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
  };
  // The lease outlives the request timeout, so a slow receiver's delivery is not claimed twice.
  const leaseMs = settings.timeoutMs * 2 + 5_000;
  const stopping = new AbortController();
  const loops = Array.from({ length: settings.concurrency }, () =>
    pollLoop({
      signal: stopping.signal,
      idleMs: settings.pollMs,
      step: async () => {
        const claimed = await claimDueDelivery(settings.db, leaseMs);
        if (claimed) await sendClaimedDelivery(settings.db, claimed, settings);
        return claimed !== null;
      },
      onError: (error) => logger().error({ err: error }, "webhook dispatcher step failed"),
    }),
  );
  return {
    async stop() {
      stopping.abort();
      await Promise.all(loops.map((loop) => loop.done));
    },
  };
}
