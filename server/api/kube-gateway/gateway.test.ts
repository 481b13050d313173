import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
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
const people: Partial<Record<Role, { id: string; email: string; token: string; kubeconfig: string }>> = {};

/** kubectl as a person runs it: their downloaded file, their own discovery cache. */
async function kubectl(role: Role, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  const person = people[role];
  if (!person) throw new Error(`no ${role}`);
  try {
    const { stdout } = await exec("kubectl", ["--kubeconfig", person.kubeconfig, ...args], { timeout: 60_000, env: { ...process.env, HOME: path.join(dir, role) } });
    return { ok: true, out: stdout };
  } catch (error) {
    const failed = error as { stderr?: string; stdout?: string };
    return { ok: false, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

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
  const created = await owner.vcluster.create.mutate({ projectId: portal.project.id, name: "gw", spec: { kubernetesVersion: "1.33.4" } });
  vclusterId = created.vcluster.id;
  await eventually("RUNNING", async () => ((await owner.vcluster.get.query({ id: vclusterId })).phase === "RUNNING" ? true : undefined), 120_000);
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
    expect(viewerSecret).toMatchObject({ ok: false, out: expect.stringContaining('User "viewer@gateway.example" cannot list resource "secrets"') });
    const viewerWrite = await kubectl("VIEWER", "create", "configmap", "nope", "-n", "default", "--from-literal=a=b");
    expect(viewerWrite).toMatchObject({ ok: false, out: expect.stringContaining('cannot create resource "configmaps"') });

    expect(await kubectl("MEMBER", "create", "configmap", "made-by-member", "-n", "default", "--from-literal=a=b")).toMatchObject({ ok: true });
    const manifest = path.join(dir, "deployment.yaml");
    await writeFile(manifest, DEPLOYMENT);
    expect(await kubectl("MEMBER", "apply", "-f", manifest)).toMatchObject({ ok: true, out: expect.stringContaining("deployment.apps/web created") });
    expect(await kubectl("MEMBER", "apply", "--server-side", "-f", manifest)).toMatchObject({ ok: true, out: expect.stringContaining("serverside-applied") });
    const memberClusterWide = await kubectl("MEMBER", "create", "clusterrole", "x", "--verb=get", "--resource=pods");
    expect(memberClusterWide.ok).toBe(false);
    expect(await kubectl("OWNER", "create", "clusterrole", "made-by-owner", "--verb=get", "--resource=pods")).toMatchObject({ ok: true });
    expect((await kubectl("VIEWER", "get", "configmap", "made-by-member", "-n", "default", "-o", "jsonpath={.data.a}")).out).toBe("b");
  });
});
