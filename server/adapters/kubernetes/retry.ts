/**
 * Retries of idempotent host calls inside one step. A single 500, 429 or timeout out of the dozens of calls an
 * operation makes used to fail the whole attempt, and under 20 % host faults almost no create ever converged (issue
 * 14 item 3). Only calls whose repetition cannot do anything the first did not (get, list, server-side apply, a merge
 * patch to absolute values, delete) go through here; a create is never repeated blindly.
 */
import { setTimeout as delay } from "node:timers/promises";
import { backoffMs } from "@/server/backoff";
import { AppError } from "@/server/universal/errors";

export interface RetryPolicy {
  /** tries in all, the first included */
  tries: number;
  /** first backoff; each further one doubles, with jitter, up to `capMs` */
  baseMs: number;
  capMs: number;
  /** a Retry-After longer than this is cut to it, so that one answer cannot park a step for minutes */
  maxRetryAfterMs: number;
  /** no retry starts after this much time has passed since the first try: a step's host calls stay bounded */
  budgetMs: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

// 5 tries over at most ~20 s: under 20 % independent faults a call then fails with probability 0.2^5 = 0.03 %, and a
// host that is really down is reported within the step's budget instead of after minutes.
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  tries: 5,
  baseMs: 200,
  capMs: 4_000,
  maxRetryAfterMs: 5_000,
  budgetMs: 20_000,
};

/** What the translation in errors.ts calls UNAVAILABLE: 429, 5xx, no answer in time, a reset or refused connection. */
export function isTransient(err: unknown): err is AppError {
  return err instanceof AppError && err.code === "UNAVAILABLE";
}

/** The pause before try `retry + 1`: the host's Retry-After when it sent one (capped), else backoff with jitter. */
export function retryDelayMs(err: AppError, retry: number, policy: RetryPolicy): number {
  if (err.retryAfter !== undefined) return Math.min(err.retryAfter * 1000, policy.maxRetryAfterMs);
  return backoffMs(retry, policy.baseMs, policy.capMs, policy.random);
}

/**
 * Runs `fn` (which throws translated AppErrors) until it succeeds, fails for a reason a repetition would not mend,
 * or the policy's tries or time run out; the last failure then says how often it was tried.
 */
export async function retryTransient<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => delay(ms));
  const now = policy.now ?? Date.now;
  const started = now();
  for (let tried = 1; ; tried++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err)) throw err;
      const delay = retryDelayMs(err, tried, policy);
      if (tried >= policy.tries || now() - started + delay > policy.budgetMs) {
        if (tried === 1) throw err;
        throw new AppError(
          err.code,
          `${err.message} (tried ${tried} times over ${Math.round((now() - started) / 1000)} s)`,
          { cause: err.cause, retryAfter: err.retryAfter },
        );
      }
      await sleep(delay);
    }
  }
}
