/**
 * `npm start`'s launcher with every embedded service: killing one service's process (kill -9) must leave the
 * others and the web server answering, and bring that service back on its address. Runs the production build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "@/server/testing/portal-server";

const root = process.cwd();
let dataDir: string;
let launcher: ChildProcess;
let output = "";
let portalUrl: string;
let s3Port: number;
let hostsimPort: number;
let hostsim: { ca: Buffer; token: string };

/** the launcher's children whose command line names `entry` */
function childPids(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === launcher.pid && readFileSync(`/proc/${name}/cmdline`, "utf8").includes(entry))
        pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function probeS3(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: "127.0.0.1", port: s3Port, path: "/open-vcluster-snapshots/?list-type=2", agent: false, timeout: 5_000 },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve(res.statusCode === 403 && body.includes("<Code>AccessDenied</Code>")));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

/** the host's API, trusting only the CA of its admin kubeconfig as read at the start */
function probeHost(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(
      {
        host: "127.0.0.1",
        port: hostsimPort,
        path: "/version",
        ca: hostsim.ca,
        headers: { authorization: `Bearer ${hostsim.token}` },
        agent: false,
        timeout: 5_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode === 200));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

async function probePortal(): Promise<boolean> {
  // readiness includes the database
  return fetch(`${portalUrl}/api/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/** Probes every service every 100 ms while `during` runs; returns how many probes of each failed. */
async function watching(during: () => Promise<void>): Promise<{ portal: number; s3: number; host: number }> {
  const failures = { portal: 0, s3: 0, host: 0 };
  let done = false;
  const loop = async (name: keyof typeof failures, probe: () => Promise<boolean>) => {
    while (!done) {
      if (!(await probe())) failures[name] += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const loops = [loop("portal", probePortal), loop("s3", probeS3), loop("host", probeHost)];
  try {
    await during();
  } finally {
    done = true;
    await Promise.all(loops);
  }
  return failures;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "ovc-launcher-"));
  const [port, hostPort, storePort] = [await freePort(), await freePort(), await freePort()];
  [hostsimPort, s3Port] = [hostPort, storePort];
  portalUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOSTSIM_PORT: String(hostPort),
    EMBEDDED_S3_PORT: String(storePort),
    ADMIN_EMAIL: "admin@example.test",
    ADMIN_PASSWORD: "a long enough admin password",
    NEXTAUTH_URL: portalUrl,
    LOG_LEVEL: "warn",
  };
  for (const name of ["DATABASE_URL", "S3_BUCKET", "EMBEDDED_HOST_CLUSTER"]) delete env[name];
  launcher = spawn(process.execPath, ["--import", "tsx", "server/launch/start.ts"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  launcher.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  launcher.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  await until("the portal is ready", async () => launcher.exitCode === null && (await probePortal()), 5 * 60_000);
  const kubeconfig = parse(await readFile(path.join(dataDir, "hostsim", "admin.kubeconfig"), "utf8")) as {
    clusters: { cluster: { "certificate-authority-data": string } }[];
    users: { user: { token: string } }[];
  };
  hostsim = {
    ca: Buffer.from(kubeconfig.clusters[0].cluster["certificate-authority-data"], "base64"),
    token: kubeconfig.users[0].user.token,
  };
  expect(await probeS3()).toBe(true);
  expect(await probeHost()).toBe(true);
}, 6 * 60_000);

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    launcher.kill("SIGKILL");
    for (const entry of ["embedded-s3-child.ts", "hostsim-child.ts"])
      for (const pid of childPids(entry)) process.kill(pid, "SIGKILL");
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the launcher keeps one embedded service's crash from the rest", () => {
  const SERVICES = [
    {
      service: "the S3 store",
      entry: "embedded-s3-child.ts",
      back: "the S3 store answering",
      probe: () => probeS3(),
      within: 10_000,
      others: { portal: 0, host: 0 },
      log: /embedded S3 store exited \(SIGKILL\); starting it again/,
    },
    {
      service: "the simulated host",
      entry: "hostsim-child.ts",
      back: "the host answering with the same CA and token",
      probe: () => probeHost(),
      within: 20_000,
      others: { portal: 0, s3: 0 },
      log: /simulated host cluster exited \(SIGKILL\); starting it again/,
    },
  ];
  it.each(SERVICES)(
    "kill -9 of $service: it is back on its port within seconds, and the other services and the portal answered throughout",
    async ({ entry, back, probe, within, others, log }) => {
      const [pid] = childPids(entry);
      expect(pid).toBeGreaterThan(0);
      const failures = await watching(async () => {
        process.kill(pid, "SIGKILL");
        await until(`a new ${entry} process`, () => childPids(entry).some((p) => p !== pid), 10_000);
        await until(back, probe, within);
      });
      expect(failures).toMatchObject(others);
      expect(output).toMatch(log);
    },
  );

  it("SIGTERM stops the launcher and every service it started", async () => {
    const children = [...childPids("embedded-s3-child.ts"), ...childPids("hostsim-child.ts")];
    expect(children).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => launcher.once("exit", (code) => resolve(code)));
    launcher.kill("SIGTERM");
    expect(await exited).toBe(0);
    await until("the services' processes gone", () => children.every((pid) => !isAlive(pid)), 10_000);
    expect(await probeS3()).toBe(false);
    expect(await probeHost()).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
