/**
 * The one loop behind every poller (operation workers, webhook delivery, snapshot schedules, host health, audit
 * anchoring): run a step; go again at once if it found work, wait `idleMs` if not, and back off (doubling, capped)
 * after a failure, which is reported and never ends the loop. A step never overlaps the one before it, unlike
 * `setInterval`. `wake()` ends a wait early (a LISTEN notification, a finished task); aborting `signal` ends the
 * loop after the step in hand.
 */
import { setTimeout as delay } from "node:timers/promises";

export interface PollLoopOptions {
  signal: AbortSignal;
  idleMs: number;
  /** the longest wait after failures in a row; the first waits `idleMs` */
  maxBackoffMs?: number;
  /** wait this long before the first step (default: run it at once) */
  firstAfterMs?: number;
  /** true when it did work and should run again at once */
  step(): Promise<boolean>;
  onError(error: unknown): void;
}

export interface PollLoop {
  wake(): void;
  /** settles when the loop has ended after `signal` aborted */
  done: Promise<void>;
}

export function pollLoop(options: PollLoopOptions): PollLoop {
  let waking = new AbortController();
  const wait = async (ms: number) => {
    await delay(ms, undefined, { signal: AbortSignal.any([options.signal, waking.signal]) }).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === "AbortError")) throw error;
    });
    if (waking.signal.aborted) waking = new AbortController();
  };
  const run = async () => {
    let failures = 0;
    if (options.firstAfterMs) await wait(options.firstAfterMs);
    while (!options.signal.aborted) {
      let worked = false;
      try {
        worked = await options.step();
        failures = 0;
      } catch (error) {
        failures += 1;
        options.onError(error);
      }
      if (options.signal.aborted) break;
      if (failures > 0) await wait(Math.min(options.idleMs * 2 ** (failures - 1), options.maxBackoffMs ?? 30_000));
      else if (!worked) await wait(options.idleMs);
    }
  };
  return { wake: () => waking.abort(), done: run() };
}

/**
 * Work done every `intervalMs`, never overlapping its own slow run as `setInterval` would; the first run is one
 * interval after start (hosts registered at start get their own first check), and a failure is reported.
 */
export function every(
  signal: AbortSignal,
  intervalMs: number,
  what: string,
  work: () => Promise<unknown>,
  onError: (error: unknown, what: string) => void,
): PollLoop {
  return pollLoop({
    signal,
    idleMs: intervalMs,
    maxBackoffMs: intervalMs,
    firstAfterMs: intervalMs,
    step: async () => (await work(), false),
    onError: (error) => onError(error, what),
  });
}
