import { describe, expect, it } from "vitest";
import { pollLoop } from "./poll-loop";

describe("pollLoop", () => {
  it("runs again at once after work, waits when idle, and a wake ends the wait", async () => {
    const stop = new AbortController();
    let calls = 0;
    const loop = pollLoop({ signal: stop.signal, idleMs: 60_000, step: async () => ++calls <= 3, onError: () => {} });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(4); // three that found work, then one that found none and waits a minute
    loop.wake();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(5);
    stop.abort();
    await loop.done;
  });

  it("reports a failing step and keeps going, with a wait after each failure", async () => {
    const stop = new AbortController();
    const errors: unknown[] = [];
    let calls = 0;
    const loop = pollLoop({
      signal: stop.signal,
      idleMs: 10,
      maxBackoffMs: 20,
      step: async () => {
        calls += 1;
        if (calls <= 3) throw new Error(`failure ${calls}`);
        stop.abort();
        return false;
      },
      onError: (error) => errors.push(error),
    });
    await loop.done;
    expect(errors.map((e) => (e as Error).message)).toEqual(["failure 1", "failure 2", "failure 3"]);
    expect(calls).toBe(4);
  });

  it("ends when aborted during a wait, without running another step", async () => {
    const stop = new AbortController();
    let calls = 0;
    const loop = pollLoop({
      signal: stop.signal,
      idleMs: 60_000,
      step: async () => (calls++, false),
      onError: () => {},
    });
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await loop.done;
    expect(calls).toBe(1);
  });

  it("waits before the first step when told", async () => {
    const stop = new AbortController();
    let calls = 0;
    const loop = pollLoop({
      signal: stop.signal,
      idleMs: 60_000,
      firstAfterMs: 60_000,
      step: async () => (calls++, false),
      onError: () => {},
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(0);
    loop.wake();
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(1);
    stop.abort();
    await loop.done;
  });
});
