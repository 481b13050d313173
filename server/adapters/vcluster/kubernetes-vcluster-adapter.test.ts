import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { createHostClients } from "@/server/adapters/kubernetes/host-client";
import { eventually, startTestHost, testSpec, testTarget, type TestHost } from "../test-host";
import { createVClusterAdapter } from "./kubernetes-vcluster-adapter";
import type { VClusterAdapter } from "./types";

let host: TestHost;
let adapter: VClusterAdapter;
let core: CoreV1Api;
let apps: AppsV1Api;
const target = testTarget("alpha");
const spec = testSpec();

beforeAll(async () => {
  host = await startTestHost();
  adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, requestTimeoutMs: 2_000 });
  core = host.kc.makeApiClient(CoreV1Api);
  apps = host.kc.makeApiClient(AppsV1Api);
});
afterAll(async () => host.close());

const sts = () => apps.readNamespacedStatefulSet({ namespace: target.namespace, name: target.name });
const readyStatus = (replicas: number) =>
  eventually(async () => {
    const s = await adapter.status(target);
    return s.readyReplicas === replicas && s.desiredReplicas === replicas ? s : undefined;
  }, `${replicas} ready replicas`);

function syncedPod(name: string) {
  return core.createNamespacedPod({
    namespace: target.namespace,
    body: { metadata: { name, labels: { "vcluster.loft.sh/managed-by": target.name } }, spec: { containers: [{ name: "app", image: "nginx:1.25", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } },
  });
}

describe("KubernetesVClusterAdapter against the simulated host", () => {
  it("probes the host's version and summed allocatable capacity", async () => {
    const info = await adapter.probe();
    expect(info).toEqual({ kubernetesVersion: "v1.33.1", nodes: 3, allocatableCpuMillis: 48_000, allocatableMemoryBytes: 3n * 64n * 2n ** 30n });
  });

  it("reports NotInstalled before install", async () => {
    const s = await adapter.status(target);
    expect(s.installed).toBe(false);
    expect(s.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["ControlPlaneAvailable", "False", "NotInstalled"],
      ["Paused", "False", "NotInstalled"],
      ["Ready", "False", "NotInstalled"],
    ]);
  });

  it("installs the namespace, policies and control plane with the right labels and resources", async () => {
    await adapter.install(target, spec);
    const ns = await core.readNamespace({ name: target.namespace });
    expect(ns.metadata?.labels).toMatchObject({ "open-vcluster.io/project": "proj-1", "open-vcluster.io/vcluster-id": "id-alpha", "open-vcluster.io/managed": "true" });
    const quota = await core.readNamespacedResourceQuota({ namespace: target.namespace, name: "vc-alpha" });
    expect(quota.spec?.hard).toMatchObject({ "requests.cpu": "4200m", "limits.cpu": "9", "requests.memory": "4352Mi", "limits.memory": "9Gi" });
    const limits = await core.readNamespacedLimitRange({ namespace: target.namespace, name: "vc-alpha" });
    expect(limits.spec?.limits[0]).toMatchObject({ type: "Container", _default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "50m", memory: "64Mi" } });
    await core.readNamespacedServiceAccount({ namespace: target.namespace, name: "vc-alpha" });
    const svc = await core.readNamespacedService({ namespace: target.namespace, name: "alpha" });
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 443, targetPort: 8443 });
    const s = await sts();
    expect(s.metadata?.labels).toMatchObject({ app: "vcluster", release: "alpha" });
    expect(s.spec?.replicas).toBe(1);
    const container = s.spec?.template.spec?.containers[0];
    expect(container?.image).toBe("ghcr.io/loft-sh/kubernetes:v1.31.1");
    expect(container?.resources).toEqual({ requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } });
    expect(s.spec?.volumeClaimTemplates?.[0].spec?.resources?.requests?.storage).toBe("5Gi");
    const ready = await readyStatus(1);
    expect(ready.kubernetesVersion).toBe("v1.31.1");
    expect(ready.conditions.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "AllReplicasReady" });
    expect(ready.conditions.find((c) => c.type === "ControlPlaneAvailable")).toMatchObject({ status: "True" });
    await eventually(async () => ((await adapter.status(target)).apiServerEndpoint === `${host.sim.url}/vc/${target.namespace}/alpha` ? true : undefined), "endpoint from vc-alpha");
  });

  it("installs again without duplicates, keeping the same objects", async () => {
    const before = await sts();
    const nsBefore = await core.readNamespace({ name: target.namespace });
    await adapter.install(target, spec);
    const after = await sts();
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect((await core.readNamespace({ name: target.namespace })).metadata?.uid).toBe(nsBefore.metadata?.uid);
    expect((await apps.listNamespacedStatefulSet({ namespace: target.namespace })).items).toHaveLength(1);
    expect((await core.listNamespacedService({ namespace: target.namespace })).items.map((s) => s.metadata?.name).sort()).toEqual(["alpha", "alpha-headless"]);
    expect((await core.listNamespacedResourceQuota({ namespace: target.namespace })).items).toHaveLength(1);
  });

  it("hands out the vc-<name> kubeconfig, reachable and usable inside the virtual cluster", async () => {
    const result = await eventually(() => adapter.kubeconfig(target), "kubeconfig");
    expect(result.server).toBe(`${host.sim.url}/vc/${target.namespace}/alpha`);
    expect(result.reachable).toBe(true);
    expect(result.warning).toBeNull();
    const vkc = new KubeConfig();
    vkc.loadFromString(result.kubeconfig);
    const names = (await vkc.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toContain("kube-system");
    expect(names).not.toContain(target.namespace);
  });

  it("scales the control plane", async () => {
    await adapter.scale(target, 3);
    expect((await sts()).spec?.replicas).toBe(3);
    const s = await readyStatus(3);
    expect(s.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("upgrades resources and version in place", async () => {
    const uid = (await sts()).metadata?.uid;
    await adapter.upgrade(target, { ...spec, replicas: 3, kubernetesVersion: "1.32.2", cpuLimitMillis: 2000 });
    const s = await sts();
    expect(s.metadata?.uid).toBe(uid);
    expect(s.spec?.template.spec?.containers[0].image).toBe("ghcr.io/loft-sh/kubernetes:v1.32.2");
    expect(s.spec?.template.spec?.containers[0].resources?.limits).toEqual({ cpu: "2", memory: "1Gi" });
    await eventually(async () => ((await adapter.status(target)).kubernetesVersion === "v1.32.2" ? true : undefined), "new version reported");
  });

  it("suspends as vcluster pause does, keeping PVCs and services, and again changes nothing", async () => {
    await syncedPod("web-x-default-alpha");
    await syncedPod("db-x-default-alpha");
    await core.createNamespacedPod({ namespace: target.namespace, body: { metadata: { name: "unrelated", labels: { "vcluster.loft.sh/managed-by": "other" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } });
    const pvcsBefore = (await core.listNamespacedPersistentVolumeClaim({ namespace: target.namespace })).items.map((p) => p.metadata?.name).sort();
    expect(pvcsBefore.length).toBeGreaterThan(0);
    await adapter.suspend(target);
    const s = await sts();
    expect(s.spec?.replicas).toBe(0);
    const annotations = s.metadata?.annotations ?? {};
    expect(annotations["loft.sh/paused"]).toBe("true");
    expect(annotations["loft.sh/paused-replicas"]).toBe("3");
    expect(Number(annotations["loft.sh/paused-date"])).toBeGreaterThan(Date.now() / 1000 - 60);
    await eventually(async () => {
      const left = (await core.listNamespacedPod({ namespace: target.namespace, labelSelector: "vcluster.loft.sh/managed-by=alpha" })).items;
      return left.length === 0 ? true : undefined;
    }, "synced pods deleted");
    await core.readNamespacedPod({ namespace: target.namespace, name: "unrelated" });
    expect((await core.listNamespacedPersistentVolumeClaim({ namespace: target.namespace })).items.map((p) => p.metadata?.name).sort()).toEqual(pvcsBefore);
    await core.readNamespacedService({ namespace: target.namespace, name: "alpha" });

    await adapter.suspend(target);
    const again = await sts();
    expect(again.metadata?.annotations).toMatchObject({ "loft.sh/paused-replicas": "3", "loft.sh/paused-date": annotations["loft.sh/paused-date"] });

    const status = await adapter.status(target);
    expect(status).toMatchObject({ paused: true, pausedReplicas: 3, desiredReplicas: 0 });
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["ControlPlaneAvailable", "False", "Paused"],
      ["Paused", "True", "Paused"],
      ["Ready", "False", "Paused"],
    ]);
  });

  it("says when the exported kubeconfig does not work from the portal", async () => {
    const paused = await adapter.kubeconfig(target);
    expect(paused.reachable).toBe(false);
    expect(paused.warning).toMatch(/could not reach the vcluster's API server at https:\/\/127\.0\.0\.1:\d+\/vc\/vc-alpha\/alpha: .*HTTP 503/);

    const secret = await core.readNamespacedSecret({ namespace: target.namespace, name: "vc-alpha" });
    const original = secret.data?.config ?? "";
    const localhost = Buffer.from(original, "base64").toString().replace(/server: .*/, "server: https://localhost:8443");
    await core.replaceNamespacedSecret({ namespace: target.namespace, name: "vc-alpha", body: { ...secret, data: { ...secret.data, config: Buffer.from(localhost).toString("base64") } } });
    const result = await adapter.kubeconfig(target);
    expect(result).toMatchObject({ server: "https://localhost:8443", reachable: false });
    expect(result.warning).toContain("only works through a port-forward (`vcluster connect alpha -n vc-alpha`)");
    expect(result.warning).toContain("exportKubeConfig.server");
    expect(result.kubeconfig).toBe(localhost);
  });

  it("keeps a paused vcluster at 0 when re-installed, saving the new count for resume", async () => {
    await adapter.install(target, { ...spec, replicas: 2, kubernetesVersion: "1.32.2" });
    const s = await sts();
    expect(s.spec?.replicas).toBe(0);
    expect(s.metadata?.annotations?.["loft.sh/paused-replicas"]).toBe("2");
  });

  it("resumes to the saved replicas and removes the annotations, idempotently", async () => {
    await adapter.resume(target);
    await adapter.resume(target);
    const s = await sts();
    expect(s.spec?.replicas).toBe(2);
    expect(Object.keys(s.metadata?.annotations ?? {}).filter((k) => k.startsWith("loft.sh/"))).toEqual([]);
    const status = await readyStatus(2);
    expect(status.paused).toBe(false);
    expect(status.conditions.find((c) => c.type === "Paused")).toMatchObject({ status: "False", reason: "NotPaused" });
  });

  it("reports Unschedulable when the control plane does not fit on any node", async () => {
    const big = testTarget("huge");
    await adapter.install(big, testSpec({ cpuRequestMillis: 64_000, cpuLimitMillis: 64_000 }));
    const s = await eventually(async () => {
      const st = await adapter.status(big);
      return st.conditions.find((c) => c.type === "Ready")?.reason === "Unschedulable" ? st : undefined;
    }, "Unschedulable");
    expect(s.conditions.find((c) => c.type === "ControlPlaneAvailable")).toMatchObject({ status: "False", reason: "Unschedulable" });
    expect(s.conditions.find((c) => c.type === "Ready")?.message).toContain("Insufficient cpu");
    expect(s.events.some((e) => e.reason === "FailedScheduling" && e.type === "Warning")).toBe(true);
    await adapter.uninstall(big);
  });

  it("refuses a namespace that belongs to something else", async () => {
    await core.createNamespace({ body: { metadata: { name: "someone-elses" } } });
    const err = await adapter.install(testTarget("intruder", { namespace: "someone-elses" }), spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("CONFLICT");
    await core.readNamespace({ name: "someone-elses" });
  });

  it("uninstalls: the namespace and everything in it are gone; again is a no-op", async () => {
    await adapter.uninstall(target);
    await expect(core.readNamespace({ name: target.namespace })).rejects.toMatchObject({ code: 404 });
    expect((await apps.listStatefulSetForAllNamespaces({ labelSelector: "release=alpha" })).items).toHaveLength(0);
    expect((await core.listPersistentVolumeClaimForAllNamespaces()).items.filter((p) => p.metadata?.namespace === target.namespace)).toHaveLength(0);
    await adapter.uninstall(target);
    expect((await adapter.status(target)).installed).toBe(false);
  });
});

describe("errors from the host become AppErrors", () => {
  it("a vcluster that does not exist is NOT_FOUND", async () => {
    for (const call of [() => adapter.scale(testTarget("ghost"), 1), () => adapter.suspend(testTarget("ghost")), () => adapter.kubeconfig(testTarget("ghost"))]) {
      await expect(call()).rejects.toMatchObject({ name: "AppError", code: "NOT_FOUND" });
    }
  });

  it("an injected 503 is UNAVAILABLE and names the host", async () => {
    host.sim.setFaults({ errors: [{ verb: "get", resource: "statefulsets", rate: 1, status: 503 }] });
    try {
      const err = (await adapter.status(testTarget("ghost")).catch((e: unknown) => e)) as AppError;
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe("UNAVAILABLE");
      expect(err.message).toContain(new URL(host.sim.url).host);
      expect(err.retryAfter).toBe(1);
    } finally {
      host.sim.setFaults({});
    }
  });

  it("a host that stops answering is UNAVAILABLE within the request timeout", async () => {
    const quick = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, requestTimeoutMs: 300 });
    host.sim.setFaults({ unresponsive: "hang" });
    try {
      const err = (await quick.probe().catch((e: unknown) => e)) as AppError;
      expect(err.code).toBe("UNAVAILABLE");
      expect(err.message).toContain("did not answer within 0.3 s");
    } finally {
      host.sim.setFaults({});
    }
  });

  it("refused credentials are FORBIDDEN and the message carries no token", async () => {
    const bad = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig.replace(host.sim.adminToken, "wrong-token") });
    const err = (await bad.probe().catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toContain("refused the portal's host credentials");
    expect(err.message).not.toContain("wrong-token");
    expect(err.message).not.toContain(host.sim.adminToken);
  });

  it("applying a kind the host does not serve is NOT_AVAILABLE, saying which", async () => {
    const clients = createHostClients(host.sim.kubeconfig);
    const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "default" } };
    await expect(clients.apply(widget)).rejects.toMatchObject({ code: "NOT_AVAILABLE", message: expect.stringContaining("does not serve example.com/v1 Widget") });
  });

  it("a host that is down is UNAVAILABLE", async () => {
    const other = await startTestHost();
    const down = createVClusterAdapter({ kubeconfig: other.sim.kubeconfig });
    await other.close();
    await expect(down.probe()).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/unreachable \(ECONNREFUSED\)/) });
  });
});
