import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createUser } from "@/server/testing/factories";
import { limitMutation } from "./rate-limit";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
beforeAll(async () => {
  process.env.RATE_LIMIT_MUTATIONS_PER_MINUTE = "3";
  t = await createTestDatabase();
});
afterAll(async () => {
  delete process.env.RATE_LIMIT_MUTATIONS_PER_MINUTE;
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

  it("counts each user, and each API token, on its own budget", async () => {
    const first = await createUser(t.db);
    const second = await createUser(t.db);
    for (let i = 0; i < 3; i++) await callerFor(t.db, actorOf(first)).apiToken.create({ name: name(), expiresInDays: 30 });
    await expect(callerFor(t.db, actorOf(first)).apiToken.create({ name: name(), expiresInDays: 30 })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    for (let i = 0; i < 3; i++) await callerFor(t.db, actorOf(second)).apiToken.create({ name: name(), expiresInDays: 30 });

    // The user's budget is spent, their token's is not; and the token's runs out on its own.
    const viaToken = actorOf(first, "token-1");
    for (let i = 0; i < 3; i++) await limitMutation(t.db, viaToken);
    await expect(limitMutation(t.db, viaToken)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await expect(limitMutation(t.db, actorOf(first, "token-2"))).resolves.toBeUndefined();
  });

  it("shares the count through the database, so a second client of it sees the same budget", async () => {
    const user = await createUser(t.db);
    for (let i = 0; i < 3; i++) await callerFor(t.db, actorOf(user)).apiToken.create({ name: name(), expiresInDays: 30 });
    const row = await t.db.rateLimit.findUniqueOrThrow({ where: { key: `mutations:user:${user.id}` } });
    expect(row.points).toBe(3);
    expect(Number(row.expire)).toBeGreaterThan(Date.now());
  });
});
