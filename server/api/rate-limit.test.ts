import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/universal/errors";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createUser } from "@/server/testing/factories";
import { limitMutation } from "./rate-limit";
import { setPortalEnv } from "@/server/testing/portal-env";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  setPortalEnv(t.url, { RATE_LIMIT_MUTATIONS_PER_MINUTE: "3", RATE_LIMIT_HOST_READS_PER_MINUTE: "3" });
});
afterAll(async () => {
  delete process.env.RATE_LIMIT_MUTATIONS_PER_MINUTE;
  delete process.env.RATE_LIMIT_HOST_READS_PER_MINUTE;
  await t.close();
});

const name = () => `t-${Math.random().toString(36).slice(2, 8)}`;

describe("mutation rate limit", () => {
  it("refuses the mutation over the limit with TOO_MANY_REQUESTS and a retry-after, and leaves queries alone", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, actorOf(user));
    for (let i = 0; i < 3; i++) await caller.apiToken.create({ name: name(), expiresInDays: 30 });
    const error = await caller.apiToken.create({ name: name(), expiresInDays: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("TOO_MANY_REQUESTS");
    const cause = (error as TRPCError).cause;
    expect(cause).toBeInstanceOf(AppError);
    expect((cause as AppError).retryAfter).toBeGreaterThanOrEqual(1);
    expect((cause as AppError).retryAfter).toBeLessThanOrEqual(60);
    expect(await t.db.apiToken.count({ where: { userId: user.id } })).toBe(3);

    for (let i = 0; i < 5; i++) expect(await caller.apiToken.list()).toHaveLength(3);
  });

  it("counts each user on one budget, whichever of their tokens or sessions they use", async () => {
    const first = await createUser(t.db);
    const second = await createUser(t.db);
    for (let i = 0; i < 3; i++)
      await callerFor(t.db, actorOf(first)).apiToken.create({ name: name(), expiresInDays: 30 });
    await expect(
      callerFor(t.db, actorOf(first)).apiToken.create({ name: name(), expiresInDays: 30 }),
    ).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    for (let i = 0; i < 3; i++)
      await callerFor(t.db, actorOf(second)).apiToken.create({ name: name(), expiresInDays: 30 });
    // a fresh token of the same person draws on the same spent budget
    await expect(limitMutation(t.db, actorOf(first, "token-1"))).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await expect(limitMutation(t.db, actorOf(first, "token-2"))).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("limits reads that go to a host cluster", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, actorOf(user));
    for (let i = 0; i < 3; i++)
      await expect(caller.vcluster.get({ id: "no-such-vcluster" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.vcluster.get({ id: "no-such-vcluster" })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("shares the count through the database, so a second client of it sees the same budget", async () => {
    const user = await createUser(t.db);
    for (let i = 0; i < 3; i++)
      await callerFor(t.db, actorOf(user)).apiToken.create({ name: name(), expiresInDays: 30 });
    const row = await t.db.rateLimit.findUniqueOrThrow({ where: { key: `mutations:user:${user.id}` } });
    expect(row.points).toBe(3);
    expect(Number(row.expire)).toBeGreaterThan(Date.now());
  });
});
