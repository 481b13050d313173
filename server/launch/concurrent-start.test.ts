/**
 * Several `npm start` launchers started at once on one empty PostgreSQL database (issue 14 item 4: 2 of 3 used to
 * exit on the first admin's unique email). Each is the real launcher, so the whole start sequence races: migrations,
 * the first-admin bootstrap, the build check and the web server. Runs the production build (as `npm test` makes it),
 * and only against a PostgreSQL server (DATABASE_URL): the embedded database is one process's own and never shared.
 */
import { rowsOf } from "@/server/testing/pg-rows";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/server/testing/portal-server";
import { createEmptyDatabase } from "@/server/testing/test-database";

const LAUNCHERS = 3;

interface Launcher {
  process: ChildProcess;
  url: string;
  dataDir: string;
  output: string;
}

const launchers: Launcher[] = [];
let drop: (() => Promise<void>) | undefined;

afterAll(async () => {
  await Promise.all(
    launchers.map(async (l) => {
      if (l.process.exitCode === null && l.process.signalCode === null) {
        const exited = new Promise((resolve) => l.process.once("exit", resolve));
        l.process.kill("SIGTERM");
        await exited;
      }
      await rm(l.dataDir, { recursive: true, force: true });
    }),
  );
  await drop?.();
}, 60_000);

async function ready(l: Launcher): Promise<boolean> {
  return fetch(`${l.url}/api/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.ok,
    () => false,
  );
}

describe.skipIf(!process.env.DATABASE_URL)("launchers started at once on an empty PostgreSQL database", () => {
  it(
    `all ${LAUNCHERS} become ready, with exactly one first admin and one default project`,
    async () => {
      const database = await createEmptyDatabase();
      drop = database.drop;
      // what every instance of one portal shares (README: the same secrets on every instance)
      const shared = {
        NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
        HOST_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
      };
      for (let i = 0; i < LAUNCHERS; i++) {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const dataDir = await mkdtemp(path.join(tmpdir(), "ovc-concurrent-start-"));
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          ...shared,
          DATABASE_URL: database.url,
          DATA_DIR: dataDir,
          PORT: String(port),
          NEXTAUTH_URL: url,
          // snapshots are not used here: an S3 setting keeps each launcher from starting an embedded store
          S3_BUCKET: "unused",
          S3_ENDPOINT: "http://127.0.0.1:9",
          EMBEDDED_HOST_CLUSTER: "false",
          LOG_LEVEL: "warn",
        };
        for (const name of ["ADMIN_EMAIL", "ADMIN_PASSWORD"]) delete env[name];
        const l: Launcher = {
          process: spawn(process.execPath, ["--import", "tsx", "server/launch/start.ts"], {
            cwd: process.cwd(),
            env,
            stdio: ["ignore", "pipe", "pipe"],
          }),
          url,
          dataDir,
          output: "",
        };
        l.process.stdout?.on("data", (c: Buffer) => (l.output += c.toString()));
        l.process.stderr?.on("data", (c: Buffer) => (l.output += c.toString()));
        launchers.push(l);
      }

      const deadline = Date.now() + 3 * 60_000;
      const pending = new Set(launchers);
      while (pending.size > 0) {
        for (const l of pending) {
          if (l.process.exitCode !== null)
            throw new Error(`a launcher exited with ${l.process.exitCode}:\n${l.output.slice(-3000)}`);
          if (await ready(l)) pending.delete(l);
        }
        if (Date.now() > deadline)
          throw new Error(
            `not ready within 3 minutes:\n${[...pending].map((l) => l.output.slice(-2000)).join("\n---\n")}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }

      for (const l of launchers) expect(await ready(l)).toBe(true);
      // with a stale build in the checkout one of them builds and the others wait for it (none, when it is current)
      expect(launchers.filter((l) => /building the portal|rebuilding/.test(l.output)).length).toBeLessThanOrEqual(1);
      // exactly one of them made the admin and printed its generated password, once
      const announced = launchers.filter((l) => l.output.includes("First admin created: admin@example.com"));
      expect(announced).toHaveLength(1);
      const users = await rowsOf<{ email: string; isPlatformAdmin: boolean }>(
        database.url,
        `SELECT email, "isPlatformAdmin" FROM "User"`,
      );
      expect(users).toEqual([{ email: "admin@example.com", isPlatformAdmin: true }]);
      const projects = await rowsOf<{ slug: string; members: string; quotas: string }>(
        database.url,
        `SELECT p.slug, (SELECT count(*) FROM "Membership" m WHERE m."projectId" = p.id AND m.role = 'OWNER') AS members,
              (SELECT count(*) FROM "Quota" q WHERE q."projectId" = p.id) AS quotas
         FROM "Project" p`,
      );
      expect(projects).toEqual([{ slug: "default", members: "1", quotas: "1" }]);
      // every migration once, whichever launcher applied it
      const migrations = await rowsOf<{ migration_name: string; n: string }>(
        database.url,
        `SELECT migration_name, count(*) AS n FROM "_prisma_migrations" GROUP BY migration_name HAVING count(*) > 1`,
      );
      expect(migrations).toEqual([]);
    },
    4 * 60_000,
  );
});
