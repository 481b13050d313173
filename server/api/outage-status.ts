/**
 * Server-rendered pages cannot choose their HTTP status in the App Router (only notFound and redirect can), so a page
 * that renders its "temporarily unavailable" state marks the request here and the portal's server
 * (server/launch/serve.ts) sends that answer as 503 with Retry-After, as the API does for the same outage.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type http from "node:http";
import { AppError } from "@/server/universal/errors";

/** what the page tells the browser to wait before it reloads, and what Retry-After says */
export const RETRY_AFTER_S = 5;

interface Outcome {
  unavailable: boolean;
}

// serve.ts runs under tsx and the pages in Next's bundle: each loads its own copy of this module, so the store is
// kept on globalThis for both to share
const holder = globalThis as unknown as { ovcRequestOutcome?: AsyncLocalStorage<Outcome> };
const outcomes = (holder.ovcRequestOutcome ??= new AsyncLocalStorage<Outcome>());

export function isUnavailable(error: unknown): error is AppError {
  return error instanceof AppError && error.code === "UNAVAILABLE";
}

/** Called while rendering, before anything is sent: this request's answer is the outage page. */
export function markUnavailable(): void {
  const outcome = outcomes.getStore();
  if (outcome) outcome.unavailable = true;
}

/**
 * Runs the handling of one request; if a page marked it, its 200 becomes 503 with Retry-After. Node sends the
 * headers through writeHead also when they are sent implicitly, at the first write.
 */
export function answeringOutages<T>(res: http.ServerResponse, handle: () => T): T {
  const outcome: Outcome = { unavailable: false };
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (outcome.unavailable && args[0] === 200) {
      args[0] = 503;
      this.setHeader("retry-after", String(RETRY_AFTER_S));
    }
    return writeHead.apply(this, args);
  } as typeof writeHead;
  return outcomes.run(outcome, handle);
}
