import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startEnginePortal, type EnginePortal } from "@/server/testing/engine-portal";

let portal: EnginePortal;
let home: string;

beforeAll(async () => {
  portal = await startEnginePortal();
  home = await mkdtemp(path.join(tmpdir(), "ovc-config-"));
}, 90_000);
afterAll(async () => {
  await portal?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would, with only the config dir (no OVC_* variables) unless `env` adds them. */
function ovc(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { OVC_URL: _url, OVC_TOKEN: _token, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/cli/ovc.ts"), ...args], {
    env: { ...inherited, XDG_CONFIG_HOME: home, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

async function ok(args: string[]): Promise<Run> {
  const run = await ovc(args);
  expect(run.code, `ovc ${args.join(" ")}\n${run.stderr}`).toBe(0);
  return run;
}

describe("ovc against the production build", () => {
  it("usage errors exit 2 with a usage message, before any request", async () => {
    const unknown = await ovc(["list", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const notNumber = await ovc(["scale", "x", "--replicas", "many"]);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('"many" is not a positive whole number');
    const missing = await ovc(["create", "x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '-p, --project <project>' not specified");
    const noYes = await ovc(["delete", "x"]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain("without --yes");
    const noLogin = await ovc(["list"]);
    expect(noLogin.code).toBe(1);
    expect(noLogin.stderr).toContain("not logged in");
  });

  it("logs in, creates, waits, downloads a kubeconfig, suspends, resumes and deletes", async () => {
    const login = await ok(["login", "--url", portal.url, "--token", portal.token]);
    expect(login.stdout).toContain("logged in to");
    expect(login.stdout).not.toContain(portal.token);
    const configFile = path.join(home, "ovc", "config.json");
    expect((await stat(configFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(configFile, "utf8"))).toEqual({ url: portal.url, token: portal.token });

    const refused = await ovc(["create", "Not_A_Name", "-p", portal.project.slug]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/BAD_REQUEST: .*name: name must be lower-case letters/);

    // A dry run prints the values file helm would get, piped too, and creates nothing.
    const dryRun = await ok([
      "create",
      "cli-one",
      "-p",
      portal.project.slug,
      "--k8s-version",
      "1.35.0",
      "--cpu",
      "2",
      "--dry-run",
    ]);
    const values = parse(dryRun.stdout, { version: "1.1" }) as {
      controlPlane: {
        distro: { k8s: { image: { tag: string } } };
        statefulSet: { resources: { limits: { cpu: string } } };
      };
    };
    expect(values.controlPlane.distro.k8s.image.tag).toBe("v1.35.0");
    expect(values.controlPlane.statefulSet.resources.limits.cpu).toBe("2");
    expect(dryRun.stderr).toMatch(/vcluster chart \S+ on host \S+; nothing was created/);
    expect(JSON.parse((await ok(["list"])).stdout)).toEqual([]);
    const wrongVersion = await ovc([
      "create",
      "cli-one",
      "-p",
      portal.project.slug,
      "--k8s-version",
      "1.20.0",
      "--dry-run",
    ]);
    expect(wrongVersion).toMatchObject({ code: 1, stdout: "" });
    expect(wrongVersion.stderr).toContain("kubernetesVersion must be one of");

    // Piped, so JSON by default.
    const created = JSON.parse(
      (await ok(["create", "cli-one", "-p", portal.project.slug, "--k8s-version", "1.31.1", "--cpu", "2"])).stdout,
    ) as {
      vcluster: { name: string; kubernetesVersion: string; phase: string };
    };
    expect(created.vcluster).toMatchObject({ name: "cli-one", kubernetesVersion: "1.31.1" });

    const waited = await ok(["wait", "cli-one", "--for", "phase=RUNNING", "--timeout", "60s"]);
    expect(waited.stderr).toMatch(/cli-one: (PENDING|CREATING|RUNNING)/);
    expect(waited.stdout).toBe("cli-one: RUNNING\n");

    const table = (await ok(["list", "-o", "table"])).stdout.split("\n");
    expect(table[0]).toMatch(/^NAME\s+PROJECT\s+PHASE\s+KUBERNETES\s+READY\s+HOST\s+AGE$/);
    expect(table[1]).toMatch(
      new RegExp(`^cli-one\\s+${portal.project.slug}\\s+RUNNING\\s+1\\.31\\.1\\s+1/1\\s+local\\s+\\d+s$`),
    );
    const listed = JSON.parse((await ok(["list", "--phase", "RUNNING", "-p", portal.project.id])).stdout) as {
      name: string;
      createdAt: string;
    }[];
    expect(listed.map((v) => v.name)).toEqual(["cli-one"]);
    expect(new Date(listed[0].createdAt).toISOString()).toBe(listed[0].createdAt);
    expect((await ok(["get", "cli-one", "-o", "table"])).stdout).toMatch(/Phase:\s+RUNNING/);
    expect((await ok(["get", "cli-one", "-o", "yaml"])).stdout).toMatch(/^name: cli-one$/m);

    const tooMany = await ovc(["scale", "cli-one", "--replicas", "9"]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain("replicas: replicas may be at most 5");

    const kubeconfigFile = path.join(home, "cli-one.kubeconfig");
    await ok(["kubeconfig", "cli-one", "-o", kubeconfigFile]);
    expect(await readFile(kubeconfigFile, "utf8")).toMatch(/^apiVersion: v1$/m);
    expect((await stat(kubeconfigFile)).mode & 0o777).toBe(0o600);

    expect((await ok(["suspend", "cli-one", "-o", "table"])).stdout).toMatch(
      /^vcluster cli-one: suspending \(operation \S+\); phase [A-Z]+$/m,
    );
    await ok(["wait", "cli-one", "--for", "phase=SUSPENDED", "--timeout", "60s"]);
    const resumed = JSON.parse((await ok(["resume", "cli-one"])).stdout) as { operationId: string };
    expect(resumed.operationId).toEqual(expect.any(String));
    await ok(["wait", "cli-one", "--for", "phase=RUNNING", "--timeout", "60s"]);

    await ok(["delete", "cli-one", "--yes", "-o", "table"]);
    await ok(["wait", "cli-one", "--for", "delete", "--timeout", "60s"]);
    expect(JSON.parse((await ok(["list"])).stdout)).toEqual([]);
    const gone = await ovc(["get", "cli-one"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('vcluster "cli-one" not found');
  }, 90_000);
});
