import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, revokeApiToken } from "@/server/services/api-tokens";
import { actorOf, createUser } from "@/server/testing/factories";
import { CookieJar, signInOver, startPortal, type PortalServer } from "@/server/testing/portal-server";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
let portal: PortalServer;
const password = "a long enough password";
const METRICS_TOKEN = "metrics-token-for-the-test";

beforeAll(async () => {
  t = await createTestDatabase();
  portal = await startPortal({ databaseUrl: t.url, env: { METRICS_TOKEN } });
});
afterAll(async () => {
  await portal?.stop();
  await t?.close();
});

function signIn(email: string, pass: string): Promise<CookieJar> {
  return signInOver(portal.url, email, pass);
}

async function me(headers: Record<string, string>): Promise<Response> {
  return fetch(`${portal.url}/api/trpc/me.get`, { headers });
}

describe("the portal over HTTP", () => {
  it("answers health, readiness and metrics in their formats", async () => {
    const health = await fetch(`${portal.url}/api/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const ready = await fetch(`${portal.url}/api/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { database: "ok", migrations: "ok" },
      pendingMigrations: [],
    });

    await fetch(`${portal.url}/api/trpc/system.ping`);
    expect((await fetch(`${portal.url}/api/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${portal.url}/api/metrics`, { headers: { authorization: "Bearer not-the-metrics-token" } })).status,
    ).toBe(401);
    const metricsResponse = await fetch(`${portal.url}/api/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(metricsResponse.headers.get("content-type")).toContain("text/plain");
    const text = await metricsResponse.text();
    expect(text).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    expect(text).toMatch(/^ovc_trpc_requests_total\{procedure="system.ping",type="query",code="OK"\} [1-9]/m);
    expect(text).toMatch(
      /^ovc_trpc_request_duration_seconds_bucket\{le="0.005",procedure="system.ping",type="query"\}/m,
    );
  });

  it("signs in with email and password and serves the session's user", async () => {
    const user = await createUser(t.db, { email: "http-user@example.com", password });
    const jar = await signIn("HTTP-User@example.com", password);
    expect(jar.has("next-auth.session-token")).toBe(true);
    const response = await me({ cookie: jar.header() });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      result: { data: { json: { id: string; email: string; viaToken: boolean } } };
    };
    expect(body.result.data.json).toMatchObject({ id: user.id, email: "http-user@example.com", viaToken: false });

    const page = await fetch(`${portal.url}/clusters`, { headers: { cookie: jar.header() }, redirect: "manual" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Virtual clusters");
  });

  it("tells browsers not to frame, sniff or load from elsewhere", async () => {
    // pages and Next-served APIs, and the tRPC API the portal's own server answers
    for (const path of ["/signin", "/api/healthz", "/api/trpc/system.ping"]) {
      const response = await fetch(`${portal.url}${path}`);
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      // plain http: no HSTS, which would lock browsers out of http://localhost
      expect(response.headers.get("strict-transport-security")).toBeNull();
    }
  });

  it("sends the browser back only to a path of the portal after sign-in", async () => {
    await createUser(t.db, { email: "redirect@example.com", password });
    for (const callbackUrl of ["https://evil.example/x", "/\\evil.example", "//evil.example"]) {
      const jar = new CookieJar();
      const csrfResponse = await fetch(`${portal.url}/api/auth/csrf`);
      jar.store(csrfResponse);
      const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
      const response = await fetch(`${portal.url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
        body: new URLSearchParams({ csrfToken, email: "redirect@example.com", password, callbackUrl, json: "true" }),
      });
      const { url } = (await response.json()) as { url: string };
      expect(new URL(url).origin, callbackUrl).toBe(new URL(portal.url).origin);
    }
    const page = await (
      await fetch(`${portal.url}/signin?callbackUrl=${encodeURIComponent("/\\evil.example")}`)
    ).text();
    // the form's target is the default page; the query string itself is only echoed in Next's route data
    expect(page).toContain('\\"callbackUrl\\":\\"/clusters\\"');
  });

  it("stops guessing: after 10 wrong passwords the account is held, even for the right one, and says why", async () => {
    await createUser(t.db, { email: "guessed@example.com", password });
    const attempt = async (pass: string) => {
      const jar = new CookieJar();
      const csrfResponse = await fetch(`${portal.url}/api/auth/csrf`);
      jar.store(csrfResponse);
      const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
      const response = await fetch(`${portal.url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
        body: new URLSearchParams({ csrfToken, email: "guessed@example.com", password: pass, json: "true" }),
      });
      jar.store(response);
      return {
        error: new URL(((await response.json()) as { url: string }).url).searchParams.get("error"),
        signedIn: jar.has("next-auth.session-token"),
      };
    };
    for (let i = 0; i < 10; i++)
      expect(await attempt(`wrong guess ${i}`)).toEqual({ error: "CredentialsSignin", signedIn: false });
    expect(await attempt(password)).toEqual({ error: "TooManySignIns", signedIn: false });
    // another account from the same machine is not held by this one's failures
    await createUser(t.db, { email: "neighbour@example.com", password });
    expect((await signIn("neighbour@example.com", password)).has("next-auth.session-token")).toBe(true);
  });

  it("refuses changes through the session from another site, and cross-site kubeconfig downloads", async () => {
    await createUser(t.db, { email: "csrf@example.com", password });
    const jar = await signIn("csrf@example.com", password);
    const create = (
      headers: Record<string, string>,
      body = JSON.stringify({ json: { name: "csrf", expiresInDays: 1 } }),
    ) =>
      fetch(`${portal.url}/api/trpc/apiToken.create`, {
        method: "POST",
        headers: { cookie: jar.header(), ...headers },
        body,
      });
    const attacks: Record<string, string>[] = [
      { "content-type": "application/json", origin: "https://evil.example" },
      { "content-type": "application/json", "sec-fetch-site": "cross-site" },
      { "content-type": "text/plain", origin: new URL(portal.url).origin },
      { "content-type": "multipart/form-data; boundary=x", origin: new URL(portal.url).origin },
    ];
    for (const headers of attacks) {
      const response = await create(headers);
      // tRPC itself answers 415 to some bodies a form can send; the session check refuses the rest
      expect([403, 415], JSON.stringify(headers)).toContain(response.status);
      if (response.status === 403)
        expect(await response.text()).toMatch(/may not use the portal's session|take application\/json/);
    }
    expect(await t.db.apiToken.count({ where: { name: "csrf" } })).toBe(0);
    const own = await create({
      "content-type": "application/json",
      origin: new URL(portal.url).origin,
      "sec-fetch-site": "same-origin",
    });
    expect(own.status).toBe(200);

    const download = await fetch(`${portal.url}/api/vclusters/no-such/kubeconfig`, {
      headers: { cookie: jar.header(), "sec-fetch-site": "cross-site" },
    });
    expect(download.status).toBe(403);
    // refused before it acts for the visitor: audited as an anonymous refusal, never as the visitor's download
    const rows = await t.db.auditLog.findMany({
      where: { action: "vcluster.kubeconfig_download", targetId: "no-such" },
      select: { actorType: true, actorId: true, result: true },
    });
    expect(rows).toEqual([{ actorType: "anonymous", actorId: null, result: "REFUSED" }]);
  });

  it("refuses an oversized or unmeasured body before anything parses it", async () => {
    const big = await fetch(`${portal.url}/api/trpc/apiToken.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(2 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain("PORTAL_MAX_BODY_BYTES");
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${portal.url}/api/trpc/apiToken.create`,
        { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(chunked).toBe(411);
    expect((await fetch(`${portal.url}/api/healthz`)).status).toBe(200);
  });

  it("refuses a wrong password and keeps anonymous callers out", async () => {
    await createUser(t.db, { email: "wrong-pass@example.com", password });
    const jar = await signIn("wrong-pass@example.com", "not the password");
    expect(jar.has("next-auth.session-token")).toBe(false);
    const anonymous = await me({});
    expect(anonymous.status).toBe(401);
    const page = await fetch(`${portal.url}/clusters`, { redirect: "manual" });
    expect([302, 303, 307]).toContain(page.status);
    expect(page.headers.get("location")).toContain("/signin");
  });

  it("accepts a Bearer API token and refuses it once revoked", async () => {
    const user = await createUser(t.db, { email: "tool@example.com" });
    const { token, view } = await createApiToken(t.db, actorOf(user), { name: "tool", expiresInDays: 7 });
    const ok = await me({ authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await ok.json())).toContain('"viaToken":true');

    await revokeApiToken(t.db, actorOf(user), view.id);
    const refused = await me({ authorization: `Bearer ${token}` });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await refused.json())).toContain("invalid, expired or revoked");
  });
});
