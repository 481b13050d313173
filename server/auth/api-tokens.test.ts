import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "@/server/auth/actor";
import { AppError } from "@/server/universal/errors";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

describe("API tokens", () => {
  it("are shown once, stored only as a hash, and authenticate as their owner", async () => {
    const user = await createUser(t.db);
    const { token, view } = await callerFor(t.db, actorOf(user)).apiToken.create({ name: "ci", expiresInDays: 30 });
    expect(token.startsWith(`${view.prefix}_`)).toBe(true);
    const row = await t.db.apiToken.findUniqueOrThrow({ where: { id: view.id } });
    expect(JSON.stringify(row)).not.toContain(token.slice(13));

    const actor = await resolveActor(t.db, bearer(token));
    expect(actor).toEqual({ userId: user.id, email: user.email, isPlatformAdmin: false, tokenId: view.id });
    const me = await callerFor(t.db, actor).me.get();
    expect(me).toMatchObject({ id: user.id, viaToken: true });
    expect((await t.db.apiToken.findUniqueOrThrow({ where: { id: view.id } })).lastUsedAt).not.toBeNull();
  });

  it("refuses expired, revoked, unknown and malformed tokens, and tokens of disabled users", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, actorOf(user));
    const revoked = await caller.apiToken.create({ name: "revoked", expiresInDays: 30 });
    await caller.apiToken.revoke({ id: revoked.view.id });
    const expired = await caller.apiToken.create({ name: "expired", expiresInDays: 1 });
    await t.db.apiToken.update({ where: { id: expired.view.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const disabledUser = await createUser(t.db);
    const ofDisabled = await callerFor(t.db, actorOf(disabledUser)).apiToken.create({ name: "x", expiresInDays: 30 });
    await t.db.user.update({ where: { id: disabledUser.id }, data: { disabled: true } });

    for (const token of [
      revoked.token,
      expired.token,
      ofDisabled.token,
      "ovc_AAAAAAAA_" + "b".repeat(32),
      "not-a-token",
    ]) {
      const error = await resolveActor(t.db, bearer(token)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("UNAUTHENTICATED");
    }
    const malformed = await resolveActor(t.db, new Headers({ authorization: "Basic abc" })).catch((e: unknown) => e);
    expect((malformed as AppError).code).toBe("UNAUTHENTICATED");
  });

  it("a token that has just authenticated is refused on the very next request once revoked or its user disabled, and a role change shows at once", async () => {
    const user = await createUser(t.db);
    const caller = callerFor(t.db, actorOf(user));
    const first = await caller.apiToken.create({ name: "first", expiresInDays: 30 });
    const second = await caller.apiToken.create({ name: "second", expiresInDays: 30 });
    const refusalOf = (token: string) =>
      resolveActor(t.db, bearer(token)).then(
        () => null,
        (e: unknown) => (e instanceof AppError ? e.code : e),
      );

    expect(await resolveActor(t.db, bearer(first.token))).toMatchObject({ userId: user.id, isPlatformAdmin: false });
    await caller.apiToken.revoke({ id: first.view.id });
    expect(await refusalOf(first.token)).toBe("UNAUTHENTICATED");

    await t.db.user.update({ where: { id: user.id }, data: { isPlatformAdmin: true } });
    expect(await resolveActor(t.db, bearer(second.token))).toMatchObject({ userId: user.id, isPlatformAdmin: true });
    await t.db.user.update({ where: { id: user.id }, data: { isPlatformAdmin: false } });
    expect(await resolveActor(t.db, bearer(second.token))).toMatchObject({ isPlatformAdmin: false });

    await t.db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await refusalOf(second.token)).toBe("UNAUTHENTICATED");
  });

  it("cannot be minted with another token, and validate their expiry", async () => {
    const user = await createUser(t.db);
    const viaToken = callerFor(t.db, actorOf(user, "some-token-id"));
    const refusal = await viaToken.apiToken.create({ name: "escalate", expiresInDays: 30 }).catch((e: unknown) => e);
    expect((refusal as TRPCError).code).toBe("FORBIDDEN");
    const invalid = await callerFor(t.db, actorOf(user))
      .apiToken.create({ name: "long", expiresInDays: 1000 })
      .catch((e: unknown) => e);
    expect((invalid as TRPCError).code).toBe("BAD_REQUEST");
    expect((invalid as TRPCError).message).toContain("expiresInDays");
  });

  it("revocation is limited to the owner's tokens", async () => {
    const owner = await createUser(t.db);
    const other = await createUser(t.db);
    const { view } = await callerFor(t.db, actorOf(owner)).apiToken.create({ name: "mine", expiresInDays: null });
    const refusal = await callerFor(t.db, actorOf(other))
      .apiToken.revoke({ id: view.id })
      .catch((e: unknown) => e);
    expect((refusal as TRPCError).code).toBe("NOT_FOUND");
    expect((await t.db.apiToken.findUniqueOrThrow({ where: { id: view.id } })).revokedAt).toBeNull();
  });
});
