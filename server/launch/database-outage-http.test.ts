/**
 * The portal's pages while PostgreSQL cannot be reached (issue 14 item 6): a TCP proxy between the portal and its
 * database is closed, as an outage or a network cut looks to the portal. Runs the production build.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/server/testing/factories";
import { signInOver, startPortal, type CookieJar, type PortalServer } from "@/server/testing/portal-server";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
let portal: PortalServer;
let jar: CookieJar;
const password = "a long enough password";

/** Forwards to the database while open; closed, it accepts connections and drops them at once. */
const proxy = {
  open: true,
  sockets: new Set<net.Socket>(),
  server: null as net.Server | null,
  cut() {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  },
};

beforeAll(async () => {
  t = await createTestDatabase();
  const target = new URL(t.url);
  proxy.server = net.createServer((client) => {
    if (!proxy.open) return void client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      proxy.sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        proxy.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.server?.listen(0, "127.0.0.1", () => resolve()));
  const viaProxy = new URL(t.url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String((proxy.server.address() as net.AddressInfo).port);
  portal = await startPortal({ databaseUrl: viaProxy.toString() });
  await createUser(t.db, { email: "outage@example.com", password });
  jar = await signInOver(portal.url, "outage@example.com", password);
});

afterAll(async () => {
  await portal?.stop();
  proxy.server?.close();
  for (const socket of proxy.sockets) socket.destroy();
  await t?.close();
});

const page = (path: string) => fetch(`${portal.url}${path}`, { headers: { cookie: jar.header() }, redirect: "manual" });

describe("pages while the database is down", () => {
  it("answer 503 with Retry-After and a page that retries by itself, keep the session, and recover when it is back", async () => {
    const before = await page("/clusters");
    expect(before.status).toBe(200);
    proxy.cut();

    for (const path of ["/clusters", "/projects", "/admin"]) {
      const response = await page(path);
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expect(response.headers.get("retry-after")).toBe("5");
      const html = await response.text();
      expect(html).toContain("The portal is temporarily unavailable");
      expect(html).toContain("Retrying in 5 s");
    }

    // not "signed out": next-auth's own answer would have cleared the cookie
    const session = await page("/api/auth/session");
    expect(session.status).toBe(503);
    expect(session.headers.get("retry-after")).toBe("5");
    expect(session.headers.getSetCookie()).toEqual([]);
    expect(await session.json()).toEqual({
      error: { code: "UNAVAILABLE", message: "the database is not reachable right now; try again" },
    });

    // the API says the same for a browser session rather than "sign in"
    const api = await page("/api/trpc/me.get");
    expect(api.status).toBe(503);

    // without a session there is nothing to look up: the sign-in page as always
    const anonymous = await fetch(`${portal.url}/clusters`, { redirect: "manual" });
    expect(anonymous.status).toBe(307);

    proxy.open = true;
    const after = await page("/clusters");
    expect(after.status).toBe(200);
    expect(after.headers.get("retry-after")).toBeNull();
    expect(await after.text()).toContain("outage@example.com");
  });
});
