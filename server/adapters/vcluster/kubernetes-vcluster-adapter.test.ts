/**
 * The adapter with a real helm and the real vcluster chart (../shared/vcluster) against the simulated host, which
 * runs a virtual API only for a control plane the real syncer would start.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/universal/errors";
import { mergePatch } from "@/server/adapters/kubernetes/host-client";
import { testChart } from "@/server/testing/test-chart";
import { eventually, startTestHost, testSpec, testTarget, type TestHost } from "@/server/testing/test-host";
import { createVClusterAdapter, probeHostCluster } from "./kubernetes-vcluster-adapter";
import type { HostStatus, VClusterAdapter, VClusterTarget } from "./types";

let host: TestHost;
let adapter: VClusterAdapter;
let core: CoreV1Api;
let apps: AppsV1Api;
const chart = testChart();
const target = testTarget("alpha");
const spec = testSpec({ enablePersistence: false, persistenceSizeBytes: null });

beforeAll(async () => {
  host = await startTestHost();
  adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, chart, requestTimeoutMs: 5_000 });
  core = host.kc.makeApiClient(CoreV1Api);
  apps = host.kc.makeApiClient(AppsV1Api);
});
afterAll(async () => host.close());

const deployment = (t: VClusterTarget = target) =>
  apps.readNamespacedDeployment({ namespace: t.namespace, name: t.name });
const statusWhere = (t: VClusterTarget, what: string, ok: (s: HostStatus) => boolean) =>
  eventually(
    async () => {
      const s = await adapter.status(t);
      return ok(s) ? s : undefined;
    },
    what,
    1200,
  );
const ready = (t: VClusterTarget, replicas: number) =>
  statusWhere(
    t,
    `${replicas} ready replicas of ${t.name}`,
    (s) => s.readyReplicas === replicas && s.desiredReplicas === replicas && !s.paused,
  );

/** Lists namespaces inside the virtual cluster through the adapter's port-forward. */
const virtualNamespaces = (t: VClusterTarget) =>
  adapter.withVirtualApi(t, async (kubeconfig) => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig);
    return (await kc.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
  });

function syncedPod(name: string) {
  return core.createNamespacedPod({
    namespace: target.namespace,
    body: {
      metadata: { name, labels: { "vcluster.loft.sh/managed-by": target.name } },
      spec: {
        serviceAccountName: `vc-workload-${target.name}`,
        containers: [{ name: "app", image: "nginx:1.25", resources: { requests: { cpu: "10m", memory: "16Mi" } } }],
      },
    },
  });
}

describe("the default spec: a Deployment control plane from the real chart", () => {
  it("probes the host's version and summed allocatable capacity", async () => {
    expect(await probeHostCluster(host.sim.kubeconfig)).toEqual({
      kubernetesVersion: "v1.33.1",
      nodes: 3,
      allocatableCpuMillis: 48_000,
      allocatableMemoryBytes: 3n * 64n * 2n ** 30n,
    });
  });

  it("reports NotInstalled before install", async () => {
    const s = await adapter.status(target);
    expect(s).toMatchObject({ installed: false, controlPlaneKind: null });
    expect(new Set(s.conditions.map((c) => c.reason))).toEqual(new Set(["NotInstalled"]));
  });

  it("installs the chart with helm: labelled namespace, config Secret, service accounts, Service with the kubelet port, Deployment", async () => {
    await adapter.install(target, spec, chart.version);
    const ns = await core.readNamespace({ name: target.namespace });
    expect(ns.metadata?.labels).toMatchObject({
      "open-vcluster.io/project": "proj-1",
      "open-vcluster.io/vcluster-id": "id-alpha",
      "open-vcluster.io/managed": "true",
    });
    const config = await core.readNamespacedSecret({ namespace: target.namespace, name: "vc-config-alpha" });
    expect(Buffer.from(config.data?.["config.yaml"] ?? "", "base64").toString()).toContain("controlPlane:");
    await core.readNamespacedServiceAccount({ namespace: target.namespace, name: "vc-alpha" });
    await core.readNamespacedServiceAccount({ namespace: target.namespace, name: "vc-workload-alpha" });
    const svc = await core.readNamespacedService({ namespace: target.namespace, name: "alpha" });
    expect(svc.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ["https", 443, 8443],
      ["kubelet", 10250, 8443],
    ]);
    const d = await deployment();
    expect(d.metadata?.labels).toMatchObject({ app: "vcluster", release: "alpha", chart: `vcluster-${chart.version}` });
    expect(d.spec?.template.spec?.initContainers?.find((c) => c.name === "kubernetes")?.image).toBe(
      "ghcr.io/loft-sh/kubernetes:v1.31.1",
    );
    expect(d.spec?.template.spec?.containers.find((c) => c.name === "syncer")?.resources).toMatchObject({
      requests: { cpu: "200m", memory: "256Mi" },
      limits: { memory: "1Gi" },
    });
    expect((await apps.listNamespacedStatefulSet({ namespace: target.namespace })).items).toHaveLength(0);
    const releases = await core.listNamespacedSecret({
      namespace: target.namespace,
      labelSelector: "owner=helm,name=alpha",
    });
    expect(releases.items.map((s) => s.metadata?.labels?.status)).toEqual(["deployed"]);
    const s = await ready(target, 1);
    expect(s).toMatchObject({
      controlPlaneKind: "Deployment",
      kubernetesVersion: "v1.31.1",
      failure: null,
      apiServerEndpoint: "https://localhost:8443",
    });
    expect(s.conditions.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "AllReplicasReady" });
  });

  it("hands out Secret vc-alpha as vcluster wrote it, checked through a port-forward, and says how to use it", async () => {
    const result = await eventually(() => adapter.kubeconfig(target), "kubeconfig");
    expect(result).toMatchObject({ server: "https://localhost:8443", reachable: true });
    expect(result.warning).toContain("works only through a port-forward (`vcluster connect alpha -n vc-alpha`");
    const names = await virtualNamespaces(target);
    expect(names).toContain("kube-system");
    expect(names).not.toContain(target.namespace);
  });

  it("the virtual API is not served at any URL of the host", async () => {
    const res = await fetch(`${host.sim.url}/vc/${target.namespace}/alpha/version`, {
      headers: { authorization: `Bearer ${host.sim.adminToken}` },
    }).catch((e: unknown) => e);
    // the simulator's CA is private, so fetch cannot even complete the TLS handshake; either way nothing answers there
    expect(res instanceof Response ? res.status : 0).not.toBe(200);
  });

  it("installs again as a new helm revision of the same objects", async () => {
    const before = await deployment();
    await adapter.install(target, spec, chart.version);
    expect((await deployment()).metadata?.uid).toBe(before.metadata?.uid);
    const releases = await core.listNamespacedSecret({
      namespace: target.namespace,
      labelSelector: "owner=helm,name=alpha",
    });
    expect(releases.items.map((s) => s.metadata?.labels?.version).sort()).toEqual(["1", "2"]);
  });

  it("upgrades resources and the Kubernetes version through the chart", async () => {
    await adapter.upgrade(target, { ...spec, kubernetesVersion: "1.32.1", cpuLimitMillis: 2000 }, chart.version);
    const d = await deployment();
    expect(d.spec?.template.spec?.initContainers?.find((c) => c.name === "kubernetes")?.image).toBe(
      "ghcr.io/loft-sh/kubernetes:v1.32.1",
    );
    expect(d.spec?.template.spec?.containers.find((c) => c.name === "syncer")?.resources?.limits).toMatchObject({
      cpu: "2",
    });
    await statusWhere(target, "v1.32.1 running", (s) => s.kubernetesVersion === "v1.32.1" && s.readyReplicas === 1);
  });

  it("suspends as vcluster pause does: annotations in vcluster's formats, synced pods deleted, services kept; again changes nothing", async () => {
    await syncedPod("web-x-default-x-alpha");
    await core.createNamespacedPod({
      namespace: target.namespace,
      body: {
        metadata: { name: "unrelated", labels: { "vcluster.loft.sh/managed-by": "other" } },
        spec: { serviceAccountName: "vc-workload-alpha", containers: [{ name: "c", image: "busybox" }] },
      },
    });
    await adapter.suspend(target, 1);
    const d = await deployment();
    expect(d.spec?.replicas).toBe(0);
    const annotations = d.metadata?.annotations ?? {};
    expect(annotations).toMatchObject({ "loft.sh/paused": "true", "loft.sh/paused-replicas": "1" });
    expect(annotations["loft.sh/paused-date"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await eventually(
      async () =>
        (
          await core.listNamespacedPod({
            namespace: target.namespace,
            labelSelector: "vcluster.loft.sh/managed-by=alpha",
          })
        ).items.length === 0
          ? true
          : undefined,
      "synced pods deleted",
    );
    await core.readNamespacedPod({ namespace: target.namespace, name: "unrelated" });
    await core.readNamespacedService({ namespace: target.namespace, name: "alpha" });
    await adapter.suspend(target, 1);
    expect((await deployment()).metadata?.annotations?.["loft.sh/paused-date"]).toBe(
      annotations["loft.sh/paused-date"],
    );
    const s = await statusWhere(target, "paused and stopped", (st) => st.paused && st.readyReplicas === 0);
    expect(s).toMatchObject({ pausedReplicas: 1, desiredReplicas: 0 });
    expect(s.conditions.find((c) => c.type === "Paused")?.message).toMatch(
      /^paused since \d{4}-.*Z; resuming restores 1 replica\(s\)$/,
    );
    await expect(virtualNamespaces(target)).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("keeps a paused vcluster at 0 when the chart is applied again", async () => {
    await adapter.install(target, { ...spec, kubernetesVersion: "1.32.1" }, chart.version);
    expect((await deployment()).spec?.replicas).toBe(0);
  });

  it("resumes to the saved replicas with the annotations removed, idempotently, data kept", async () => {
    await adapter.resume(target);
    await adapter.resume(target);
    const d = await deployment();
    expect(d.spec?.replicas).toBe(1);
    expect(Object.keys(d.metadata?.annotations ?? {}).filter((k) => k.startsWith("loft.sh/"))).toEqual([]);
    await ready(target, 1);
    expect(await virtualNamespaces(target)).toContain("kube-system");
  });

  it("shows what an operator did with the vcluster CLI (`vcluster pause`), and resumes it", async () => {
    const body = {
      metadata: {
        annotations: {
          "loft.sh/paused": "true",
          "loft.sh/paused-replicas": "1",
          "loft.sh/paused-date": "2026-12-01T10:00:00.000Z",
        },
      },
      spec: { replicas: 0 },
    };
    await apps.patchNamespacedDeployment({ namespace: target.namespace, name: "alpha", body }, mergePatch);
    const s = await statusWhere(target, "paused by hand", (st) => st.paused && st.readyReplicas === 0);
    expect(s.conditions.find((c) => c.type === "Paused")?.message).toBe(
      "paused since 2026-12-01T10:00:00.000Z; resuming restores 1 replica(s)",
    );
    await adapter.resume(target);
    await ready(target, 1);
  });

  it("uninstalls with helm: the namespace and the release are gone; again is a no-op", async () => {
    await adapter.uninstall(target);
    await expect(core.readNamespace({ name: target.namespace })).rejects.toMatchObject({ code: 404 });
    expect((await apps.listDeploymentForAllNamespaces({ labelSelector: "release=alpha" })).items).toHaveLength(0);
    expect((await core.listSecretForAllNamespaces({ labelSelector: "owner=helm,name=alpha" })).items).toHaveLength(0);
    await adapter.uninstall(target);
    expect((await adapter.status(target)).installed).toBe(false);
  });
});

describe("other shapes of control plane", () => {
  it("persistence: a StatefulSet with a volume claim of the asked size and class, paused and resumed alike", async () => {
    const t = testTarget("durable");
    await adapter.install(
      t,
      testSpec({ enablePersistence: true, persistenceSizeBytes: 7n * 2n ** 30n, defaultStorageClass: "fast" }),
      chart.version,
    );
    const sts = await apps.readNamespacedStatefulSet({ namespace: t.namespace, name: t.name });
    expect(sts.spec?.volumeClaimTemplates?.[0].spec).toMatchObject({
      storageClassName: "fast",
      resources: { requests: { storage: "7Gi" } },
    });
    expect(await ready(t, 1)).toMatchObject({ controlPlaneKind: "StatefulSet" });
    await adapter.suspend(t, 1);
    expect((await apps.readNamespacedStatefulSet({ namespace: t.namespace, name: t.name })).spec?.replicas).toBe(0);
    await adapter.resume(t);
    await ready(t, 1);
    await adapter.uninstall(t);
  });

  it("high availability: 3 control plane replicas on deployed etcd, which pauses and resumes with them", async () => {
    const t = testTarget("tolerant");
    await adapter.install(
      t,
      testSpec({ replicas: 3, enableHa: true, enablePersistence: false, persistenceSizeBytes: null }),
      chart.version,
    );
    const etcd = await apps.readNamespacedStatefulSet({ namespace: t.namespace, name: `${t.name}-etcd` });
    expect(etcd.metadata?.labels).toMatchObject({ app: "vcluster-etcd", release: t.name });
    expect(await ready(t, 3)).toMatchObject({ controlPlaneKind: "Deployment", failure: null });
    await adapter.suspend(t, 3);
    expect(
      (await apps.readNamespacedStatefulSet({ namespace: t.namespace, name: `${t.name}-etcd` })).spec?.replicas,
    ).toBe(0);
    await adapter.resume(t);
    expect(
      (await apps.readNamespacedStatefulSet({ namespace: t.namespace, name: `${t.name}-etcd` })).spec?.replicas,
    ).toBe(3);
    await ready(t, 3);
    await adapter.uninstall(t);
  });

  it("network policies: the chart's policies land in the namespace", async () => {
    const t = testTarget("fenced");
    await adapter.install(
      t,
      testSpec({ enableNetworkPolicies: true, enablePersistence: false, persistenceSizeBytes: null }),
      chart.version,
    );
    const policies = await host.kc
      .makeApiClient(NetworkingV1Api)
      .listNamespacedNetworkPolicy({ namespace: t.namespace });
    expect(policies.items.length).toBeGreaterThan(0);
    await ready(t, 1);
    await adapter.uninstall(t);
  });

  it("moves a persistent vcluster from chart 0.30.0 to 0.36.1 with helm upgrade, keeping its data", async () => {
    const t = testTarget("veteran");
    const durable = testSpec({ enablePersistence: true });
    const stsOf = () => apps.readNamespacedStatefulSet({ namespace: t.namespace, name: t.name });
    const old = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, chart: testChart("0.30.0") });
    await old.install(t, durable, "0.30.0");
    expect((await stsOf()).metadata?.labels?.chart).toBe("vcluster-0.30.0");
    await ready(t, 1);
    await adapter.withVirtualApi(t, async (kubeconfig) => {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      await kc
        .makeApiClient(CoreV1Api)
        .createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "kept" }, data: { a: "1" } } });
    });
    await adapter.upgrade(t, durable, "0.36.1");
    expect((await stsOf()).metadata?.labels?.chart).toBe("vcluster-0.36.1");
    await statusWhere(t, "upgraded and ready", (s) => s.readyReplicas === 1);
    const kept = await eventually(
      () =>
        adapter.withVirtualApi(t, async (kubeconfig) => {
          const kc = new KubeConfig();
          kc.loadFromString(kubeconfig);
          return (await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "default", name: "kept" }))
            .data;
        }),
      "ConfigMap after the upgrade",
    );
    expect(kept).toEqual({ a: "1" });
    await adapter.uninstall(t);
  });
});

describe("a control plane the syncer refuses to run", () => {
  it("shows the syncer's own words as a CrashLoopBackOff condition, and a final failure after a few restarts", async () => {
    const t = testTarget("broken");
    await adapter.install(t, spec, chart.version);
    await ready(t, 1);
    // what an operator's hand edit could do: the syncer needs VCLUSTER_NAME (cmd/vcluster/cmd/start.go)
    const d = await deployment(t);
    const containers = (d.spec?.template.spec?.containers ?? []).map((c) =>
      c.name === "syncer" ? { ...c, env: (c.env ?? []).filter((e) => e.name !== "VCLUSTER_NAME") } : c,
    );
    await apps.replaceNamespacedDeployment({
      namespace: t.namespace,
      name: t.name,
      body: {
        ...d,
        spec: { ...d.spec!, template: { ...d.spec!.template, spec: { ...d.spec!.template.spec!, containers } } },
      },
    });
    await apps.patchNamespacedDeployment(
      { namespace: t.namespace, name: t.name, body: { spec: { replicas: 0 } } },
      mergePatch,
    );
    await statusWhere(t, "old pod gone", (s) => s.readyReplicas === 0);
    await apps.patchNamespacedDeployment(
      { namespace: t.namespace, name: t.name, body: { spec: { replicas: 1 } } },
      mergePatch,
    );
    const s = await statusWhere(t, "a final failure", (st) => st.failure !== null);
    expect(s.conditions.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "CrashLoopBackOff",
      message: expect.stringContaining("empty vCluster name"),
    });
    expect(s.failure).toContain("container syncer");
    await adapter.uninstall(t);
  });
});

describe("refusals, each a clear error", () => {
  it("a chart version that is not there is NOT_AVAILABLE naming it", async () => {
    const err = (await adapter.install(testTarget("nochart"), spec, "0.99.0").catch((e: unknown) => e)) as AppError;
    expect(err).toMatchObject({ code: "NOT_AVAILABLE", message: expect.stringContaining("vcluster-0.99.0.tgz") });
  });

  it("a local chart of another version than pinned is INVALID", async () => {
    const file = createVClusterAdapter({
      kubeconfig: host.sim.kubeconfig,
      chart: { ref: `${chart.ref}/vcluster-0.30.0.tgz`, version: "0.36.1" },
    });
    const err = (await file.install(testTarget("mismatch"), spec, "0.36.1").catch((e: unknown) => e)) as AppError;
    expect(err).toMatchObject({
      code: "INVALID",
      message: expect.stringContaining("is version 0.30.0, but version 0.36.1 is wanted"),
    });
  });

  it("a helm that is missing is NOT_AVAILABLE", async () => {
    const broken = createVClusterAdapter({
      kubeconfig: host.sim.kubeconfig,
      chart,
      helm: { bin: "/nonexistent/helm" },
    });
    await expect(broken.install(testTarget("nohelm"), spec, chart.version)).rejects.toMatchObject({
      code: "NOT_AVAILABLE",
      message: expect.stringContaining("/nonexistent/helm"),
    });
  });

  it("a namespace that belongs to something else is refused", async () => {
    await core.createNamespace({ body: { metadata: { name: "someone-elses" } } });
    await expect(
      adapter.install(testTarget("intruder", { namespace: "someone-elses" }), spec, chart.version),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a vcluster that does not exist is NOT_FOUND", async () => {
    for (const call of [
      () => adapter.suspend(testTarget("ghost")),
      () => adapter.resume(testTarget("ghost")),
      () => adapter.kubeconfig(testTarget("ghost")),
    ]) {
      await expect(call()).rejects.toMatchObject({ name: "AppError", code: "NOT_FOUND" });
    }
  });

  it("an injected 503 is UNAVAILABLE and names the host", async () => {
    host.sim.setFaults({ errors: [{ verb: "list", resource: "statefulsets", rate: 1, status: 503 }] });
    try {
      const err = (await adapter.status(testTarget("ghost")).catch((e: unknown) => e)) as AppError;
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe("UNAVAILABLE");
      expect(err.message).toContain(new URL(host.sim.url).host);
    } finally {
      host.sim.setFaults({});
    }
  });

  it("refused credentials are FORBIDDEN and the message carries no token", async () => {
    const err = (await probeHostCluster(host.sim.kubeconfig.replace(host.sim.adminToken, "wrong-token")).catch(
      (e: unknown) => e,
    )) as AppError;
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).not.toContain("wrong-token");
    expect(err.message).not.toContain(host.sim.adminToken);
  });

  it("a host that is down is UNAVAILABLE", async () => {
    const other = await startTestHost();
    const kubeconfig = other.sim.kubeconfig;
    await other.close();
    await expect(probeHostCluster(kubeconfig)).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});
