import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
  type KubeConfig,
} from "@kubernetes/client-node";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartPath, connectVirtual, helm, valuesFile, type Forward } from "./chart-helpers";
import { eventually, kubeConfigFrom, runKubectl, startTestSim, tempDir, type TestSim } from "./test-helpers";
import { versionFromWorkload } from "./vcluster";

let t: TestSim;
const dataDir = tempDir();
const ns = "team-a";
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  t = await startTestSim({ dataDir });
});
afterAll(async () => {
  for (const f of forwards) await f.close();
  await t.close();
});

/** The virtual cluster's kubeconfig through a fresh port-forward; forwards are closed with the test file. */
const forwards: Forward[] = [];
async function virtualKc(sim: TestSim): Promise<{ kc: KubeConfig; config: string }> {
  const v = await connectVirtual(sim.kc, ns, "vc1");
  forwards.push(v.forward);
  return v;
}

describe("virtual clusters", () => {
  it("reads the Kubernetes version from the tag of the init container named kubernetes", () => {
    const workload = (init: string) => ({
      metadata: {},
      spec: {
        template: {
          spec: {
            initContainers: [{ name: "kubernetes", image: init }],
            containers: [{ name: "syncer", image: "ghcr.io/loft-sh/vcluster-pro:0.36.1" }],
          },
        },
      },
    });
    expect(versionFromWorkload(workload("ghcr.io/loft-sh/kubernetes:v1.36.0"))).toBe("v1.36.0");
    expect(versionFromWorkload(workload("localhost:5000/kubernetes"))).toBe("v1.33.1");
  });

  it("serves the chart's virtual cluster through port-forward, with the real vc-NAME secret", async () => {
    const core = t.kc.makeApiClient(CoreV1Api);
    const out = await helm([
      "upgrade",
      "--install",
      "vc1",
      chartPath("0.36.1"),
      "-n",
      ns,
      "--create-namespace",
      "-f",
      valuesFile(dataDir, "vc1", {}),
      "--kubeconfig",
      t.kubeconfigPath,
    ]);
    expect(out.code, out.stderr).toBe(0);
    const secret = await eventually(
      () => core.readNamespacedSecret({ namespace: ns, name: "vc-vc1" }),
      "vc-vc1 secret",
    );
    expect(secret.metadata?.labels).toMatchObject({ app: "vcluster", "vcluster-name": "vc1" });
    const { kc: vkc, config } = await virtualKc(t);
    expect(Buffer.from(secret.data?.config ?? "", "base64").toString()).toContain("server: https://localhost:8443");
    const version = await vkc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe("v1.36.0");
    const vcore = vkc.makeApiClient(CoreV1Api);
    const names = (await vcore.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease"]));
    expect(names).not.toContain(ns);
    expect((await vcore.listNode()).items.length).toBeGreaterThanOrEqual(1);
    await vcore.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "inside" }, data: { hello: "vc" } },
    });
    await expect(core.readNamespacedConfigMap({ namespace: "default", name: "inside" })).rejects.toMatchObject({
      code: 404,
    });

    const token = Buffer.from(secret.data?.token ?? "", "base64").toString();
    const hostKc = kubeConfigFrom(t.sim.kubeconfig.replace(t.sim.adminToken, token));
    await expect(hostKc.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });

    const tokenKc = kubeConfigFrom(config);
    tokenKc.users = [{ name: "token", token }];
    tokenKc.contexts = [{ ...tokenKc.contexts[0], user: "token" }];
    expect(
      (await tokenKc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "default", name: "inside" })).data,
    ).toEqual({ hello: "vc" });
  });

  it("works with kubectl through the vc-NAME kubeconfig, at the vcluster's version", async () => {
    const file = path.join(dataDir, "vc1.kubeconfig");
    fs.writeFileSync(file, (await virtualKc(t)).config);
    const version = await runKubectl(file, ["version", "-o", "json"]);
    expect(JSON.parse(version.stdout)).toMatchObject({ serverVersion: { gitVersion: "v1.36.0" } });
    const created = await runKubectl(file, ["create", "deployment", "app", "--image=nginx:1.25", "--replicas=2"]);
    expect(created.stderr).toBe("");
    const rollout = await runKubectl(file, ["rollout", "status", "deployment/app", "--timeout=30s"]);
    expect(rollout.stdout).toContain("successfully rolled out");
    const get = await runKubectl(file, ["get", "configmap", "inside", "-o", "jsonpath={.data.hello}"]);
    expect(get.stdout).toBe("vc");
  });

  it("runs the virtual cluster's pods on the host, as vcluster's syncer does", async () => {
    const core = t.kc.makeApiClient(CoreV1Api);
    const vcore = (await virtualKc(t)).kc.makeApiClient(CoreV1Api);
    const hostPods = await eventually(async () => {
      const l = (await core.listNamespacedPod({ namespace: ns, labelSelector: "vcluster.loft.sh/managed-by=vc1" }))
        .items;
      return l.length === 2 && l.every((p) => p.status?.phase === "Running") ? l : undefined;
    }, "two synced host pods");
    const virtualPods = (await vcore.listNamespacedPod({ namespace: "default", labelSelector: "app=app" })).items;
    expect(hostPods.map((p) => p.metadata?.name).sort()).toEqual(
      virtualPods.map((p) => `${p.metadata?.name}-x-default-x-vc1`).sort(),
    );
    for (const vp of virtualPods) {
      const hp = hostPods.find((p) => p.metadata?.name === `${vp.metadata?.name}-x-default-x-vc1`);
      expect(vp.spec?.nodeName).toBe(hp?.spec?.nodeName);
      expect(vp.status?.podIP).toBe(hp?.status?.podIP);
      await vcore.readNode({ name: vp.spec?.nodeName ?? "" });
    }
    expect(hostPods[0].metadata?.ownerReferences?.[0]).toMatchObject({ kind: "StatefulSet", name: "vc1" });
    expect(hostPods[0].spec?.serviceAccountName).toBe("vc-workload-vc1");
  });

  it("is unreachable while scaled to 0 (no pod to forward to) and keeps the data for when it is back", async () => {
    const apps = t.kc.makeApiClient(AppsV1Api);
    const core = t.kc.makeApiClient(CoreV1Api);
    await apps.patchNamespacedStatefulSetScale({ namespace: ns, name: "vc1", body: { spec: { replicas: 0 } } }, merge);
    await core.deleteCollectionNamespacedPod({ namespace: ns, labelSelector: "vcluster.loft.sh/managed-by=vc1" });
    await eventually(
      async () =>
        (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=vcluster,release=vc1" })).items.length === 0
          ? true
          : undefined,
      "control plane gone while paused",
    );
    expect(
      (await core.listNamespacedPod({ namespace: ns, labelSelector: "vcluster.loft.sh/managed-by=vc1" })).items,
    ).toHaveLength(0);
    await apps.patchNamespacedStatefulSetScale({ namespace: ns, name: "vc1", body: { spec: { replicas: 1 } } }, merge);
    const vcore = (await virtualKc(t)).kc.makeApiClient(CoreV1Api);
    const cm = await eventually(
      () => vcore.readNamespacedConfigMap({ namespace: "default", name: "inside" }),
      "data back after resume",
    );
    expect(cm.data).toEqual({ hello: "vc" });
    await eventually(async () => {
      const hostPods = (
        await core.listNamespacedPod({ namespace: ns, labelSelector: "vcluster.loft.sh/managed-by=vc1" })
      ).items;
      const vpods = (await vcore.listNamespacedPod({ namespace: "default", labelSelector: "app=app" })).items;
      return hostPods.length === 2 && vpods.length === 2 && vpods.every((p) => p.status?.phase === "Running")
        ? true
        : undefined;
    }, "workloads running again on the host after resume");
  });

  it("holds the virtual cluster's workloads to the host namespace's quota", async () => {
    const core = t.kc.makeApiClient(CoreV1Api);
    const vkc = (await virtualKc(t)).kc;
    await core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: "vc-quota" }, spec: { hard: { pods: "3" } } },
    });
    await vkc
      .makeApiClient(AppsV1Api)
      .patchNamespacedDeploymentScale({ namespace: "default", name: "app", body: { spec: { replicas: 3 } } }, merge);
    const vcore = vkc.makeApiClient(CoreV1Api);
    const syncError = await eventually(async () => {
      const ev = await vcore.listNamespacedEvent({ namespace: "default", fieldSelector: "reason=SyncError" });
      return ev.items[0];
    }, "SyncError in the virtual cluster");
    expect(syncError.message).toContain("exceeded quota: vc-quota");
    const pending = (await vcore.listNamespacedPod({ namespace: "default", labelSelector: "app=app" })).items.filter(
      (p) => p.status?.phase !== "Running",
    );
    expect(pending).toHaveLength(1);
    await core.deleteNamespacedResourceQuota({ namespace: ns, name: "vc-quota" });
    await eventually(
      async () =>
        (await vcore.listNamespacedPod({ namespace: "default", labelSelector: "app=app" })).items.filter(
          (p) => p.status?.phase === "Running",
        ).length === 3
          ? true
          : undefined,
      "third pod runs once quota is lifted",
    );
  });

  it("keeps the virtual cluster's data across a host restart", async () => {
    await t.close();
    t = await startTestSim({ dataDir });
    const vcore = (await virtualKc(t)).kc.makeApiClient(CoreV1Api);
    const cm = await eventually(
      () => vcore.readNamespacedConfigMap({ namespace: "default", name: "inside" }),
      "data after restart",
    );
    expect(cm.data).toEqual({ hello: "vc" });
  });

  it("deletes the virtual cluster's data with its namespace", async () => {
    const core = t.kc.makeApiClient(CoreV1Api);
    await core.deleteNamespace({ name: ns });
    await eventually(
      () =>
        core.readNamespace({ name: ns }).then(
          () => undefined,
          (e: { code?: number }) => (e.code === 404 ? true : undefined),
        ),
      "namespace gone",
    );
    expect(fs.existsSync(path.join(dataDir, "vclusters", ns))).toBe(false);
  });
});
