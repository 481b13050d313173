import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { decideOidcLink, linkOidcIdentity } from "./oidc-link";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe("which account an SSO identity signs in to", () => {
  it("decides by the provider's subject first, and never takes over an account by an unverified email", () => {
    const existing = { id: "u1", hasPassword: true, disabled: false };
    expect(
      decideOidcLink({
        linked: { userId: "u9", disabled: false },
        emailVerified: false,
        existing,
        linkVerifiedEmail: false,
      }),
    ).toEqual({ kind: "linked", userId: "u9" });
    expect(decideOidcLink({ linked: null, emailVerified: false, existing, linkVerifiedEmail: true })).toEqual({
      kind: "refuse",
      reason: "EmailNotVerified",
    });
    expect(decideOidcLink({ linked: null, emailVerified: true, existing, linkVerifiedEmail: true })).toEqual({
      kind: "refuse",
      reason: "AccountExists",
    });
    expect(
      decideOidcLink({
        linked: null,
        emailVerified: true,
        existing: { ...existing, hasPassword: false },
        linkVerifiedEmail: false,
      }),
    ).toEqual({ kind: "refuse", reason: "AccountExists" });
    expect(
      decideOidcLink({
        linked: null,
        emailVerified: true,
        existing: { ...existing, hasPassword: false },
        linkVerifiedEmail: true,
      }),
    ).toEqual({ kind: "link", userId: "u1" });
    expect(decideOidcLink({ linked: null, emailVerified: true, existing: null, linkVerifiedEmail: false })).toEqual({
      kind: "create",
    });
  });

  it("refuses the platform admin's email from an identity that did not verify it, and writes nothing", async () => {
    const admin = await createUser(t.db, {
      email: "admin@takeover.example",
      password: "the admin's own password",
      isPlatformAdmin: true,
    });
    const attack = await linkOidcIdentity(
      t.db,
      { providerAccountId: "attacker-sub", email: "ADMIN@takeover.example", emailVerified: false, name: "x" },
      true,
    );
    expect(attack).toEqual({ refused: "EmailNotVerified" });
    const verified = await linkOidcIdentity(
      t.db,
      { providerAccountId: "attacker-sub", email: "admin@takeover.example", emailVerified: true, name: "x" },
      true,
    );
    expect(verified).toEqual({ refused: "AccountExists" });
    expect(await t.db.account.count({ where: { userId: admin.id } })).toBe(0);
    const newcomer = await linkOidcIdentity(
      t.db,
      { providerAccountId: "new-sub", email: "new@takeover.example", emailVerified: true, name: "New" },
      false,
    );
    expect(newcomer).toMatchObject({ userId: expect.any(String) });
    expect(
      await linkOidcIdentity(
        t.db,
        { providerAccountId: "new-sub", email: "changed@takeover.example", emailVerified: false, name: null },
        false,
      ),
    ).toEqual(newcomer);
  });
});
