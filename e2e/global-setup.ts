/**
 * Starts the portal the way a user does — `npm start`'s launcher on a fresh DATA_DIR: embedded PostgreSQL, the
 * simulated host cluster `local`, a production build — on free ports, and stops it after the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@/server/testing/portal-server";
import { ADMIN, OWNER, VIEWER } from "./support/accounts";
import { startOidcProvider } from "./support/oidc-provider";
import { OIDC_NAME } from "./support/sso";

const root = path.resolve(import.meta.dirname, "..");

function run(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code)),
  );
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "ovc-e2e-"));
  const [port, hostsimPort] = [await freePort(), await freePort()];
  // a real OpenID Provider on 127.0.0.1 for the SSO spec; the portal shows "Continue with …" for it
  const oidc = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/callback/oidc` });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOSTSIM_PORT: String(hostsimPort),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    VIEWER_EMAIL: VIEWER.email,
    VIEWER_PASSWORD: VIEWER.password,
    OWNER_EMAIL: OWNER.email,
    OWNER_PASSWORD: OWNER.password,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_NAME,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  delete env.DATABASE_URL;

  if ((await exitOf(run(["e2e/support/seed-users.ts"], env))) !== 0) throw new Error("seeding the e2e users failed");
  const portal = run(["server/launch/start.ts"], env);
  const url = `http://127.0.0.1:${port}`;
  // The launcher builds first when the sources changed since the last build, which can take a few minutes.
  const deadline = Date.now() + 5 * 60_000;
  while (
    !(await fetch(`${url}/api/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (portal.exitCode !== null) throw new Error(`the portal exited with ${portal.exitCode} before it was ready`);
    if (Date.now() > deadline) throw new Error("the portal was not ready within 5 minutes");
    await new Promise((r) => setTimeout(r, 250));
  }
  process.env.E2E_BASE_URL = url;
  process.env.E2E_DATA_DIR = dataDir;
  process.env.E2E_OIDC_ISSUER = oidc.issuer;
  process.env.E2E_OIDC_ADMIN_TOKEN = oidc.adminToken;

  return async () => {
    if (portal.exitCode === null) {
      portal.kill("SIGTERM");
      await exitOf(portal);
    }
    await oidc.close();
    await rm(dataDir, { recursive: true, force: true });
  };
}
