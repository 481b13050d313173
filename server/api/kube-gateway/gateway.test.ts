import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import https from "node:https";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@/server/client/create-client";
import type { Role } from "@/server/generated/prisma/client";
import { createApiToken } from "@/server/services/api-tokens";
import { startEnginePortal, type EnginePortal } from "@/server/testing/engine-portal";
import { actorOf, createUser } from "@/server/testing/factories";

const exec = promisify(execFile);
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: netexec
          image: registry.k8s.io/e2e-test-images/agnhost:2.53
          args: ["netexec", "--http-port=8080"]
          ports: [{ containerPort: 8080 }]
`;
let portal: EnginePortal;
let dir: string;
let vclusterId: string;
/** by role, and a few more people made by single tests */
const people: Partial<Record<string, { id: string; email: string; token: string; kubeconfig: string }>> = {};

/** kubectl as a person runs it: their downloaded file, their own discovery cache. */
async function kubectl(role: string, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  const person = people[role];
  if (!person) throw new Error(`no ${role}`);
  try {
    const { stdout } = await exec("kubectl", ["--kubeconfig", person.kubeconfig, ...args], {
      timeout: 60_000,
      env: { ...process.env, HOME: path.join(dir, role) },
    });
    return { ok: true, out: stdout };
  } catch (error) {
    const failed = error as { stderr?: string; stdout?: string };
    return { ok: false, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** A long-running kubectl (watch, port-forward) whose output is read as it comes. */
function kubectlStream(
  role: string,
  ...args: string[]
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const person = people[role];
  if (!person) throw new Error(`no ${role}`);
  const child = spawn("kubectl", ["--kubeconfig", person.kubeconfig, ...args], {
    env: { ...process.env, HOME: path.join(dir, role) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  streams.push(child);
  return { child, output: () => out, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
}

const streams: ChildProcess[] = [];

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  portal = await startEnginePortal({ GATEWAY_REQUESTS_PER_MINUTE: "400" });
  dir = await mkdtemp(path.join(tmpdir(), "ovc-gateway-"));
  const owner = createClient({ url: portal.url, token: portal.token });
  const created = await owner.vcluster.create.mutate({
    projectId: portal.project.id,
    name: "gw",
    spec: { kubernetesVersion: "1.33.4" },
  });
  vclusterId = created.vcluster.id;
  await eventually(
    "RUNNING",
    async () => ((await owner.vcluster.get.query({ id: vclusterId })).phase === "RUNNING" ? true : undefined),
    120_000,
  );
  for (const role of ["VIEWER", "MEMBER", "OWNER"] as const) {
    const user = await createUser(portal.t.db, { email: `${role.toLowerCase()}@gateway.example` });
    await portal.t.db.membership.create({ data: { userId: user.id, projectId: portal.project.id, role } });
    const { token } = await createApiToken(portal.t.db, actorOf(user), { name: "t", expiresInDays: 1 });
    const file = await createClient({ url: portal.url, token }).vcluster.kubeconfig.mutate({ id: vclusterId });
    const kubeconfig = path.join(dir, `${role}.kubeconfig`);
    await writeFile(kubeconfig, file.kubeconfig, { mode: 0o600 });
    people[role] = { id: user.id, email: user.email, token, kubeconfig };
  }
}, 240_000);
afterAll(async () => {
  for (const child of streams) child.kill("SIGKILL");
  await portal?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the access gateway with real kubectl", () => {
  it("hands every role a file that points at the portal, with a personal token, the same on every download", async () => {
    const viewer = people.VIEWER;
    if (!viewer) throw new Error("no viewer");
    const client = createClient({ url: portal.url, token: viewer.token });
    const again = await client.vcluster.kubeconfig.mutate({ id: vclusterId });
    const gateway = `${portal.url.replace("http:", "https:")}/kube/${vclusterId}`;
    expect(again.server).toBe(gateway);
    expect(again.kubeconfig).toContain(`server: ${gateway}`);
    expect(again.kubeconfig).toContain("certificate-authority-data:");
    expect(again.kubeconfig).toMatch(/token: ovck_/);
    expect(again.kubeconfig).not.toMatch(/client-certificate-data|client-key-data/);
    expect(again.kubeconfig).toBe((await client.vcluster.kubeconfig.mutate({ id: vclusterId })).kubeconfig);
  });

  it("reads for VIEWERs, writes for MEMBERs, everything for OWNERs, as RBAC inside the vcluster says", async () => {
    expect((await kubectl("VIEWER", "get", "namespaces", "-o", "name")).out).toContain("namespace/default");
    const viewerSecret = await kubectl("VIEWER", "get", "secrets", "-n", "default");
    expect(viewerSecret).toMatchObject({
      ok: false,
      out: expect.stringContaining('User "viewer@gateway.example" cannot list resource "secrets"'),
    });
    const viewerWrite = await kubectl("VIEWER", "create", "configmap", "nope", "-n", "default", "--from-literal=a=b");
    expect(viewerWrite).toMatchObject({
      ok: false,
      out: expect.stringContaining('cannot create resource "configmaps"'),
    });

    expect(
      await kubectl("MEMBER", "create", "configmap", "made-by-member", "-n", "default", "--from-literal=a=b"),
    ).toMatchObject({ ok: true });
    const manifest = path.join(dir, "deployment.yaml");
    await writeFile(manifest, DEPLOYMENT);
    expect(await kubectl("MEMBER", "apply", "-f", manifest)).toMatchObject({
      ok: true,
      out: expect.stringContaining("deployment.apps/web created"),
    });
    expect(await kubectl("MEMBER", "apply", "--server-side", "-f", manifest)).toMatchObject({
      ok: true,
      out: expect.stringContaining("serverside-applied"),
    });
    const memberClusterWide = await kubectl("MEMBER", "create", "clusterrole", "x", "--verb=get", "--resource=pods");
    expect(memberClusterWide.ok).toBe(false);
    expect(
      await kubectl("OWNER", "create", "clusterrole", "made-by-owner", "--verb=get", "--resource=pods"),
    ).toMatchObject({ ok: true });
    expect(
      (await kubectl("VIEWER", "get", "configmap", "made-by-member", "-n", "default", "-o", "jsonpath={.data.a}")).out,
    ).toBe("b");
  });

  it("streams a watch, serves logs and port-forwards to a pod, through the portal", async () => {
    const watch = kubectlStream(
      "VIEWER",
      "get",
      "configmaps",
      "-n",
      "default",
      "--watch",
      "--output-watch-events",
      "-o",
      "name",
    );
    await eventually("the watch's first list", async () =>
      watch.output().includes("made-by-member") ? true : undefined,
    );
    expect(
      await kubectl("MEMBER", "create", "configmap", "after-the-watch", "-n", "default", "--from-literal=a=b"),
    ).toMatchObject({ ok: true });
    await eventually(
      "the new ConfigMap in the open watch",
      async () => (watch.output().includes("after-the-watch") ? true : undefined),
      10_000,
    );
    watch.child.kill("SIGTERM");

    const pod = await eventually("a running web pod", async () => {
      const { out } = await kubectl(
        "VIEWER",
        "get",
        "pods",
        "-n",
        "default",
        "-l",
        "app=web",
        "-o",
        "jsonpath={.items[?(@.status.phase=='Running')].metadata.name}",
      );
      return out.trim() ? out.trim().split(" ")[0] : undefined;
    });
    expect((await kubectl("VIEWER", "logs", "-n", "default", pod)).out).toMatch(/Started HTTP server on port 8080/);

    const forward = kubectlStream("MEMBER", "port-forward", "-n", "default", `pod/${pod}`, ":8080");
    const port = await eventually(
      "the forwarded port",
      async () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(forward.output())?.[1],
    );
    expect(await (await fetch(`http://127.0.0.1:${port}/hostname`)).text()).toBe(pod);
    forward.child.kill("SIGTERM");
    // VIEWERs may not forward ports (the view role has no pods/portforward)
    const viewerForward = await kubectl(
      "VIEWER",
      "port-forward",
      "-n",
      "default",
      `pod/${pod}`,
      ":8080",
      "--pod-running-timeout=5s",
    );
    expect(viewerForward.out).toContain('cannot create resource "pods/portforward"');
  });

  it("writes an audit row for each mutation, refusals included, and records the cluster's last activity", async () => {
    const rows = await portal.t.db.auditLog.findMany({
      where: { targetId: vclusterId, action: { startsWith: "kube." } },
      orderBy: { seq: "asc" },
    });
    const summary = rows.map(
      (r) =>
        `${r.action} ${r.result} ${r.actorLabel.split(" ")[0]} ${(r.after as { object?: string; code?: number }).object} ${(r.after as { code?: number }).code}`,
    );
    // a create names its collection (the object's name is in the body, which the gateway does not read)
    expect(summary).toContain("kube.create SUCCESS member@gateway.example default configmaps 201");
    expect(summary).toContain("kube.create REFUSED viewer@gateway.example default configmaps 403");
    // kubectl's port-forward is a WebSocket upgrade, a GET of pods/portforward answered 101
    expect(
      summary.some((line) =>
        /^kube\.get SUCCESS member@gateway\.example default pods\/portforward \S+ 101$/.test(line),
      ),
    ).toBe(true);
    expect(
      summary.some((line) =>
        /^kube\.(get|create) REFUSED viewer@gateway\.example default pods\/portforward \S+ 403$/.test(line),
      ),
    ).toBe(true);
    expect(summary.some((line) => line.startsWith("kube.list"))).toBe(false);
    const vcluster = await portal.t.db.vCluster.findUniqueOrThrow({ where: { id: vclusterId } });
    expect(vcluster.lastActivityAt?.getTime()).toBeGreaterThan(Date.now() - 120_000);
  });

  it("cuts a removed member, a revoked token and a disabled account at the next request and in an open watch", async () => {
    const cases: { role: Role; cut: () => Promise<unknown>; message: RegExp }[] = [
      {
        role: "VIEWER",
        cut: () =>
          portal.t.db.membership.deleteMany({ where: { userId: people.VIEWER?.id, projectId: portal.project.id } }),
        message: /Forbidden|no longer a member/,
      },
      {
        role: "MEMBER",
        cut: () =>
          createClient({ url: portal.url, token: people.MEMBER?.token ?? "" }).vcluster.rotateKubeconfig.mutate({
            id: vclusterId,
          }),
        message: /Unauthorized|logged in/,
      },
      {
        role: "OWNER",
        cut: () => portal.t.db.user.update({ where: { id: people.OWNER?.id }, data: { disabled: true } }),
        message: /Unauthorized|logged in/,
      },
    ];
    for (const { role, cut, message } of cases) {
      expect((await kubectl(role, "get", "configmaps", "-n", "default")).ok).toBe(true);
      const watch = kubectlStream(role, "get", "configmaps", "-n", "default", "--watch", "-o", "name");
      await eventually(`${role}'s watch`, async () => (watch.output().includes("configmap/") ? true : undefined));
      const cutAt = Date.now();
      await cut();
      const ended = await Promise.race([
        watch.exited.then(() => Date.now() - cutAt),
        new Promise<number>((r) => setTimeout(() => r(-1), 5_000)),
      ]);
      expect(ended, `${role}'s open watch must end`).toBeGreaterThanOrEqual(0);
      expect(ended).toBeLessThan(2_000);
      const refused = await kubectl(role, "get", "configmaps", "-n", "default");
      expect(refused.ok).toBe(false);
      expect(refused.out).toMatch(message);
    }
  });

  it("ends an open watch when a role is lowered, and the next request acts with the lower role", async () => {
    const user = await createUser(portal.t.db, { email: "demoted@gateway.example" });
    const membership = await portal.t.db.membership.create({
      data: { userId: user.id, projectId: portal.project.id, role: "MEMBER" },
    });
    const { token } = await createApiToken(portal.t.db, actorOf(user), { name: "t", expiresInDays: 1 });
    const file = await createClient({ url: portal.url, token }).vcluster.kubeconfig.mutate({ id: vclusterId });
    const kubeconfig = path.join(dir, "demoted.kubeconfig");
    await writeFile(kubeconfig, file.kubeconfig, { mode: 0o600 });
    people.DEMOTED = { id: user.id, email: user.email, token, kubeconfig };
    expect((await kubectl("DEMOTED", "create", "configmap", "before-demotion", "-n", "default")).ok).toBe(true);
    const watch = kubectlStream("DEMOTED", "get", "configmaps", "-n", "default", "--watch", "-o", "name");
    await eventually("the watch", async () => (watch.output().includes("configmap/") ? true : undefined));
    await portal.t.db.membership.update({
      where: { userId_projectId: { userId: membership.userId, projectId: membership.projectId } },
      data: { role: "VIEWER" },
    });
    expect(
      await Promise.race([
        watch.exited.then(() => "ended"),
        new Promise((r) => setTimeout(() => r("still open"), 5_000)),
      ]),
    ).toBe("ended");
    expect((await kubectl("DEMOTED", "create", "configmap", "after-demotion", "-n", "default")).out).toContain(
      'User "demoted@gateway.example" cannot create resource "configmaps"',
    );
  });

  it("answers a burst over the per-person limit with 429 and Retry-After", async () => {
    const user = await createUser(portal.t.db, { email: "burst@gateway.example" });
    await portal.t.db.membership.create({ data: { userId: user.id, projectId: portal.project.id, role: "VIEWER" } });
    const { token } = await createApiToken(portal.t.db, actorOf(user), { name: "t", expiresInDays: 1 });
    const file = await createClient({ url: portal.url, token }).vcluster.kubeconfig.mutate({ id: vclusterId });
    const kubeToken = /token: (\S+)/.exec(file.kubeconfig)?.[1] ?? "";
    const agent = new https.Agent({ ca: await readFile(portal.caFile, "utf8"), keepAlive: true, maxSockets: 20 });
    const get = () =>
      new Promise<{ code: number; retry: string | undefined; body: string }>((resolve, reject) => {
        https
          .get(`${file.server}/version`, { agent, headers: { authorization: `Bearer ${kubeToken}` } }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ code: res.statusCode ?? 0, retry: res.headers["retry-after"], body }));
          })
          .on("error", reject);
      });
    const codes = await Promise.all(Array.from({ length: 450 }, get));
    agent.destroy();
    const limited = codes.filter((c) => c.code === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0].retry)).toBeGreaterThan(0);
    expect(limited[0].body).toContain("too many requests through the portal");
    expect(codes.filter((c) => c.code === 200).length).toBeLessThanOrEqual(400);
  });

  it("gives the same file to the CLI and to the typed client", async () => {
    const user = await createUser(portal.t.db, { email: "cli@gateway.example" });
    await portal.t.db.membership.create({ data: { userId: user.id, projectId: portal.project.id, role: "MEMBER" } });
    const { token } = await createApiToken(portal.t.db, actorOf(user), { name: "t", expiresInDays: 1 });
    const typed = await createClient({ url: portal.url, token }).vcluster.kubeconfig.mutate({ id: vclusterId });
    const { stdout } = await exec(
      process.execPath,
      ["--import", "tsx", path.resolve("server/cli/ovc.ts"), "kubeconfig", "gw", "-p", portal.project.slug],
      {
        env: { ...process.env, OVC_URL: portal.url, OVC_TOKEN: token, XDG_CONFIG_HOME: dir },
      },
    );
    expect(stdout).toBe(typed.kubeconfig.endsWith("\n") ? typed.kubeconfig : `${typed.kubeconfig}\n`);
  });
});
