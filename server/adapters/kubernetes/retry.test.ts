import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/universal/errors";
import { startTestHost, type TestHost } from "@/server/testing/test-host";
import { createHostClients } from "./host-client";
import { retryTransient, type RetryPolicy } from "./retry";

/** A policy whose pauses are recorded and pass on a clock of its own, with jitter fixed at its upper end. */
function recording(overrides: Partial<RetryPolicy> = {}) {
  const slept: number[] = [];
  let clock = 0;
  const policy: RetryPolicy = {
    tries: 5,
    baseMs: 100,
    capMs: 1_000,
    maxRetryAfterMs: 3_000,
    budgetMs: 60_000,
    random: () => 1,
    sleep: (ms) => {
      slept.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    now: () => clock,
    ...overrides,
  };
  return { policy, slept };
}

/** Fails with each error in turn, then answers "ok"; counts the tries. */
function failing(...errors: AppError[]) {
  let tries = 0;
  return {
    get tries() {
      return tries;
    },
    fn: () => {
      const err = errors[tries++];
      return err ? Promise.reject(err) : Promise.resolve("ok");
    },
  };
}

const unavailable = (retryAfter?: number) =>
  new AppError("UNAVAILABLE", "host h is unavailable (HTTP 503) for x", { retryAfter });

describe("retrying idempotent host calls", () => {
  it("retries transient failures with doubling backoff, and waits the host's Retry-After, capped", async () => {
    const { policy, slept } = recording();
    const call = failing(unavailable(), unavailable(), unavailable(2), unavailable(60));
    await expect(retryTransient(call.fn, policy)).resolves.toBe("ok");
    expect(call.tries).toBe(5);
    expect(slept).toEqual([100, 200, 2_000, 3_000]);
  });

  it("does not repeat a call refused for a reason a repetition cannot mend", async () => {
    for (const code of ["CONFLICT", "NOT_FOUND", "FORBIDDEN", "INVALID", "INTERNAL"] as const) {
      const { policy, slept } = recording();
      const call = failing(new AppError(code, "no"));
      await expect(retryTransient(call.fn, policy)).rejects.toMatchObject({ code });
      expect(call.tries).toBe(1);
      expect(slept).toEqual([]);
    }
  });

  it("gives up after its tries and says how often it tried", async () => {
    const { policy } = recording({ tries: 3 });
    const call = failing(unavailable(), unavailable(), unavailable(), unavailable());
    await expect(retryTransient(call.fn, policy)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringMatching(/\(tried 3 times over \d+ s\)$/),
    });
    expect(call.tries).toBe(3);
  });

  it("starts no retry that would end beyond its time budget", async () => {
    const { policy, slept } = recording({ budgetMs: 3_500 });
    const call = failing(unavailable(2), unavailable(2), unavailable());
    await expect(retryTransient(call.fn, policy)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("tried 2 times over 2 s"),
    });
    expect(call.tries).toBe(2);
    expect(slept).toEqual([2_000]);
  });
});

describe("idempotent calls against a host that fails a share of requests", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => host.close());

  const fast: RetryPolicy = { tries: 8, baseMs: 5, capMs: 20, maxRetryAfterMs: 20, budgetMs: 30_000 };

  it("gets every answer through 500s and requests that are never answered, where single calls fail", async () => {
    const clients = createHostClients(host.sim.kubeconfig, { requestTimeoutMs: 300, retry: fast });
    host.sim.setFaults({
      seed: 11,
      errors: [
        { verb: "list", resource: "configmaps", rate: 0.2, status: 500 },
        { verb: "list", resource: "configmaps", rate: 0.25, status: "timeout" },
      ],
    });
    try {
      const failures: unknown[] = [];
      for (let i = 0; i < 20; i++)
        await clients
          .call("configmaps", () => clients.core.listNamespacedConfigMap({ namespace: "default" }))
          .catch((e: unknown) => failures.push(e));
      expect(failures.every((e) => e instanceof AppError && e.code === "UNAVAILABLE")).toBe(true);
      // both kinds were injected: the 500 carries Retry-After: 1, which reaches the translated error
      expect(failures.some((e) => e instanceof AppError && e.retryAfter === 1)).toBe(true);
      expect(failures.some((e) => e instanceof AppError && /did not answer within 0.3 s/.test(e.message))).toBe(true);

      for (let i = 0; i < 20; i++) {
        const list = await clients.idempotent("configmaps", () =>
          clients.core.listNamespacedConfigMap({ namespace: "default" }),
        );
        expect(list.items).toBeInstanceOf(Array);
      }
    } finally {
      host.sim.setFaults({});
    }
  });
});
