/**
 * Sessions end on the server: a cookie copied before sign-out, an admin's revoke or expiry no longer signs anyone
 * in, over HTTP against the production build.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "@/server/services/api-tokens";
import { actorOf, createUser } from "@/server/testing/factories";
import { CookieJar, signInOver, startPortal, type PortalServer } from "@/server/testing/portal-server";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
let portal: PortalServer;
const password = "a long enough password";

beforeAll(async () => {
  t = await createTestDatabase();
  portal = await startPortal({ databaseUrl: t.url });
});
afterAll(async () => {
  await portal?.stop();
  await t?.close();
});

const me = (jar: CookieJar) => fetch(`${portal.url}/api/trpc/me.get`, { headers: { cookie: jar.header() } });

/** A copy of the jar as it is now: what an attacker who stole the cookie holds. */
function copyOf(jar: CookieJar): CookieJar {
  const copy = new CookieJar();
  copy.store(
    new Response(null, {
      headers: jar
        .header()
        .split("; ")
        .map((c): [string, string] => ["set-cookie", c]),
    }),
  );
  return copy;
}

async function signOut(jar: CookieJar): Promise<void> {
  const csrf = await fetch(`${portal.url}/api/auth/csrf`, { headers: { cookie: jar.header() } });
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${portal.url}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  expect(response.status).toBeLessThan(400);
  jar.store(response);
}

describe("server-side sessions", () => {
  it("signing out ends the session for a copied cookie too", async () => {
    const user = await createUser(t.db, { email: "leaver@example.com", password });
    const jar = await signInOver(portal.url, "leaver@example.com", password);
    expect((await me(jar)).status).toBe(200);
    expect(await t.db.session.count({ where: { userId: user.id } })).toBe(1);
    const stolen = copyOf(jar);

    await signOut(jar);
    expect(await t.db.session.count({ where: { userId: user.id } })).toBe(0);
    expect((await me(stolen)).status).toBe(401);
    const page = await fetch(`${portal.url}/clusters`, { headers: { cookie: stolen.header() }, redirect: "manual" });
    expect(page.headers.get("location")).toContain("/signin");
  });

  it("an admin's revoke ends every session of that person at once, audited, and a new sign-in works", async () => {
    const admin = await createUser(t.db, { email: "root@example.com", isPlatformAdmin: true });
    const { token } = await createApiToken(t.db, actorOf(admin), { name: "admin tool", expiresInDays: 1 });
    const user = await createUser(t.db, { email: "two-laptops@example.com", password });
    const laptops = [
      await signInOver(portal.url, user.email, password),
      await signInOver(portal.url, user.email, password),
    ];
    for (const jar of laptops) expect((await me(jar)).status).toBe(200);

    const list = await fetch(`${portal.url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    const rows = (await list.json()) as { email: string; liveSessions: number }[];
    expect(rows.find((r) => r.email === user.email)?.liveSessions).toBe(2);

    const response = await fetch(`${portal.url}/api/v1/users/${user.id}/revoke-sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ revoked: 2 });
    for (const jar of laptops) expect((await me(jar)).status).toBe(401);
    expect(
      await t.db.auditLog.count({
        where: { action: "user.sessions_revoke", targetId: user.id, result: "SUCCESS", actorId: admin.id },
      }),
    ).toBe(1);

    expect((await me(await signInOver(portal.url, user.email, password))).status).toBe(200);
  });

  it("refuses a non-admin's revoke, and audits the refusal", async () => {
    const user = await createUser(t.db, { email: "curious@example.com", password });
    const victim = await createUser(t.db, { email: "victim@example.com", password });
    const victimJar = await signInOver(portal.url, victim.email, password);
    const jar = await signInOver(portal.url, user.email, password);
    const response = await fetch(`${portal.url}/api/trpc/user.revokeSessions`, {
      method: "POST",
      headers: { cookie: jar.header(), "content-type": "application/json", origin: portal.url },
      body: JSON.stringify({ json: { userId: victim.id } }),
    });
    expect(response.status).toBe(403);
    expect((await me(victimJar)).status).toBe(200);
    expect(
      await t.db.auditLog.count({
        where: {
          action: "user.sessions_revoke",
          targetId: victim.id,
          actorId: user.id,
          result: "REFUSED",
          errorCode: "FORBIDDEN",
        },
      }),
    ).toBe(1);
  });

  it("audits every sign-in, failed sign-in and sign-out, with where it came from and never the password", async () => {
    const user = await createUser(t.db, { email: "audited@example.com", password });
    await signInOver(portal.url, "nobody-here@example.com", "a guess at a password");
    await signInOver(portal.url, user.email, "the wrong password");
    const jar = await signInOver(portal.url, user.email, password);
    await signOut(jar);
    const rows = await t.db.auditLog.findMany({
      where: { action: { startsWith: "auth." }, actorLabel: { in: ["nobody-here@example.com", user.email] } },
      orderBy: { seq: "asc" },
    });
    expect(rows.map((r) => [r.action, r.result, r.actorId, r.errorCode])).toEqual([
      ["auth.sign_in", "REFUSED", null, "CredentialsSignin"],
      ["auth.sign_in", "REFUSED", null, "CredentialsSignin"],
      ["auth.sign_in", "SUCCESS", user.id, null],
      ["auth.sign_out", "SUCCESS", user.id, null],
    ]);
    expect(rows[0].sourceIp).toBe("127.0.0.1");
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    expect(text).not.toContain("wrong password");
    expect(text).not.toContain(password);
  });

  it("a session ends 12 hours after sign-in however active it was", async () => {
    const user = await createUser(t.db, { email: "night-owl@example.com", password });
    const jar = await signInOver(portal.url, user.email, password);
    expect((await me(jar)).status).toBe(200);
    await t.db.session.updateMany({ where: { userId: user.id }, data: { expires: new Date(Date.now() - 1000) } });
    expect((await me(jar)).status).toBe(401);
  });
});
