import { setTimeout as delay } from "node:timers/promises";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureLocalTls } from "@/server/launch/local-tls";

export interface PortalServer {
  url: string;
  /** the CA of the portal's own TLS (the gateway's https:// on the same port) */
  caFile: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Runs the production build (made by `npm test` before the suites) against the given database. */
export async function startPortal(options: {
  databaseUrl: string;
  env?: Record<string, string>;
}): Promise<PortalServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const tlsDir = mkdtempSync(path.join(tmpdir(), "ovc-portal-tls-"));
  const tls = ensureLocalTls(tlsDir, ["localhost", "127.0.0.1"]);
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.resolve("server/launch/serve.ts")], {
    env: {
      ...process.env,
      PORT: String(port),
      BIND_ADDRESS: "127.0.0.1",
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      GATEWAY_CA_FILE: tls.caFile,
      DATABASE_URL: options.databaseUrl,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
      HOST_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the portal's server exited with ${child.exitCode}; is there a build? (npm test makes one)`);
    const ok = await fetch(`${url}/api/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("the portal did not answer /api/healthz within 60 s");
    }
    await delay(200);
  }
  return {
    url,
    caFile: tls.caFile,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

/** A tiny cookie jar: what a browser would send back to the same origin. */
export class CookieJar {
  private cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const index = pair.indexOf("=");
      this.cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  has(name: string): boolean {
    return this.cookies.has(name) && this.cookies.get(name) !== "";
  }
}

/** Signs in through next-auth's credentials flow as a browser would (CSRF cookie and token first). */
export async function signInOver(portalUrl: string, email: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const csrfResponse = await fetch(`${portalUrl}/api/auth/csrf`);
  jar.store(csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const response = await fetch(`${portalUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  jar.store(response);
  return jar;
}
