/**
 * A vcluster's whole life through the API, the engine, a real helm and the real vcluster chart, on the simulated
 * host (which starts a virtual API only for a control plane the real syncer would run): create → RUNNING →
 * kubeconfig → scale → update → suspend → resume → snapshot → restore → chart upgrade → delete, nothing left behind.
 */
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSim } from "@open-vcluster/hostsim";
import { callerFor } from "@/server/testing/caller";
import { connectVirtual, type VirtualConnection } from "@/server/testing/connect-virtual";
import { waitForOperation } from "@/server/testing/engine-harness";
import { startSnapshotEnvironment, type SnapshotEnvironment } from "@/server/testing/snapshot-environment";
import type { TestDatabase } from "@/server/testing/test-database";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { testChartDir } from "@/server/testing/test-chart";
import type { VClusterSpecInput } from "@/server/universal/vcluster-spec";

let env: SnapshotEnvironment;
let t: TestDatabase;
let sim: HostSim;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  env = await startSnapshotEnvironment({
    portalEnv: { VCLUSTER_CHART: testChartDir() },
    worker: { readyTimeoutMs: 60_000 },
  });
  ({ t, sim } = env);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await env?.stop();
});

type Api = ReturnType<typeof callerFor>;

async function team(): Promise<Api> {
  const member = await createUser(t.db);
  await createProject(t.db, [{ userId: member.id, role: "MEMBER" }]);
  return callerFor(t.db, actorOf(member));
}

async function settled(operationId: string): Promise<void> {
  const op = await waitForOperation(t.db, operationId, 120_000);
  expect(op, `operation ${op.kind}: ${op.lastError ?? ""}`).toMatchObject({ state: "SUCCEEDED" });
}

async function connect(api: Api, id: string): Promise<VirtualConnection> {
  const { reachable, server } = await api.vcluster.kubeconfig({ id });
  expect({ reachable, server }).toEqual({ reachable: true, server: expect.stringMatching(new RegExp(`/kube/${id}$`)) });
  const { name, namespace } = await api.vcluster.get({ id });
  return connectVirtual(sim.kubeconfig, { name, namespace });
}

const greeting = async (kc: KubeConfig) =>
  (await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "default", name: "greeting" })).data;

async function controlPlaneKind(namespace: string, name: string): Promise<string> {
  const labelSelector = `app=vcluster,release=${name}`;
  if ((await apps.listNamespacedStatefulSet({ namespace, labelSelector })).items.length) return "StatefulSet";
  return (await apps.listNamespacedDeployment({ namespace, labelSelector })).items.length ? "Deployment" : "none";
}

const CASES: { label: string; name: string; spec: VClusterSpecInput; kind: string; scaleTo: number | null }[] = [
  // persistence is the default, as the chart's `auto` is for embedded SQLite: a StatefulSet with a volume claim
  {
    label: "the default spec",
    name: "life-default",
    spec: { kubernetesVersion: "1.34.0" },
    kind: "StatefulSet",
    scaleTo: null,
  },
  {
    label: "persistence of a chosen size",
    name: "life-durable",
    spec: { kubernetesVersion: "1.34.0", storage: { enablePersistence: true, persistenceSize: "6Gi" } },
    kind: "StatefulSet",
    scaleTo: null,
  },
  {
    label: "high availability",
    name: "life-ha",
    spec: { kubernetesVersion: "1.34.0", enableHa: true, replicas: 3 },
    kind: "Deployment",
    scaleTo: 2,
  },
  {
    label: "network policies",
    name: "life-fenced",
    spec: { kubernetesVersion: "1.34.0", network: { enableNetworkPolicies: true } },
    kind: "StatefulSet",
    scaleTo: null,
  },
];

describe("the whole life of a vcluster on the real chart", () => {
  for (const c of CASES) {
    it(`${c.label}: create → kubeconfig → scale → update → suspend → resume → snapshot → restore → delete`, async () => {
      const api = await team();
      const projectId = (await api.project.list())[0].id;
      const created = await api.vcluster.create({ projectId, name: c.name, spec: c.spec });
      await settled(created.operationId);
      const id = created.vcluster.id;
      const { namespace } = await api.vcluster.get({ id });
      expect(await api.vcluster.get({ id })).toMatchObject({
        phase: "RUNNING",
        chartVersion: "0.36.1",
        pinnedChartVersion: "0.36.1",
      });
      expect(await controlPlaneKind(namespace, c.name)).toBe(c.kind);

      let connection = await connect(api, id);
      await connection.kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({
        namespace: "default",
        body: { metadata: { name: "greeting" }, data: { hello: "world" } },
      });

      if (c.scaleTo !== null) {
        await settled((await api.vcluster.scale({ id, replicas: c.scaleTo })).operationId);
        expect((await api.vcluster.get({ id })).readyReplicas).toBe(c.scaleTo);
      } else {
        await expect(api.vcluster.scale({ id, replicas: 2 })).rejects.toMatchObject({
          message: expect.stringContaining("embedded SQLite, which runs exactly 1 replica"),
        });
      }

      const spec = (await api.vcluster.get({ id })).spec as VClusterSpecInput;
      await settled((await api.vcluster.update({ id, spec: { ...spec, kubernetesVersion: "1.35.0" } })).operationId);
      expect((await api.vcluster.get({ id })).kubernetesVersion).toBe("1.35.0");

      await connection.close();
      await settled((await api.vcluster.suspend({ id })).operationId);
      expect(await api.vcluster.get({ id })).toMatchObject({ phase: "SUSPENDED", readyReplicas: 0 });
      await settled((await api.vcluster.resume({ id })).operationId);
      connection = await connect(api, id);
      expect(await greeting(connection.kc)).toEqual({ hello: "world" });

      const snap = await api.snapshot.create({ vclusterId: id, name: "kept" });
      await settled(snap.operationId);
      await connection.kc
        .makeApiClient(CoreV1Api)
        .deleteNamespacedConfigMap({ namespace: "default", name: "greeting" });
      await settled((await api.snapshot.restore({ vclusterId: id, snapshotId: snap.snapshot.id })).operationId);
      expect(await greeting(connection.kc)).toEqual({ hello: "world" });
      await connection.close();

      const name = (await api.vcluster.get({ id })).name;
      await settled((await api.vcluster.delete({ id, confirmName: name })).operationId);
      await expect(core.readNamespace({ name: namespace })).rejects.toMatchObject({ code: 404 });
      expect(
        (await core.listSecretForAllNamespaces({ labelSelector: `owner=helm,name=${c.name}` })).items,
      ).toHaveLength(0);
      expect((await apps.listDeploymentForAllNamespaces({ labelSelector: `release=${c.name}` })).items).toHaveLength(0);
      expect((await apps.listStatefulSetForAllNamespaces({ labelSelector: `release=${c.name}` })).items).toHaveLength(
        0,
      );
    });
  }

  it("without persistence: a Deployment whose state goes with its pod, as on a real host; a snapshot brings it back", async () => {
    const api = await team();
    const projectId = (await api.project.list())[0].id;
    const created = await api.vcluster.create({
      projectId,
      name: "life-ephemeral",
      spec: { kubernetesVersion: "1.34.0", storage: { enablePersistence: false } },
    });
    await settled(created.operationId);
    const id = created.vcluster.id;
    const { namespace } = await api.vcluster.get({ id });
    expect(await controlPlaneKind(namespace, "life-ephemeral")).toBe("Deployment");
    let connection = await connect(api, id);
    await connection.kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "greeting" }, data: { hello: "world" } },
    });
    const snap = await api.snapshot.create({ vclusterId: id, name: "before-pause" });
    await settled(snap.operationId);
    await connection.close();
    await settled((await api.vcluster.suspend({ id })).operationId);
    await settled((await api.vcluster.resume({ id })).operationId);
    connection = await connect(api, id);
    await expect(greeting(connection.kc)).rejects.toMatchObject({ code: 404 });
    await settled((await api.snapshot.restore({ vclusterId: id, snapshotId: snap.snapshot.id })).operationId);
    expect(await greeting(connection.kc)).toEqual({ hello: "world" });
    await connection.close();
    await settled((await api.vcluster.delete({ id, confirmName: "life-ephemeral" })).operationId);
  });

  it("a chart upgrade: created on 0.30.0 while the host pinned it, moved to 0.36.1 with helm upgrade, data kept", async () => {
    const api = await team();
    const projectId = (await api.project.list())[0].id;
    const host = await t.db.hostCluster.findUniqueOrThrow({ where: { name: "local" } });
    await t.db.hostCluster.update({ where: { id: host.id }, data: { chartVersion: "0.30.0" } });
    try {
      const created = await api.vcluster.create({ projectId, name: "veteran", spec: { kubernetesVersion: "1.34.0" } });
      await settled(created.operationId);
      const id = created.vcluster.id;
      expect(await api.vcluster.get({ id })).toMatchObject({ chartVersion: "0.30.0", pinnedChartVersion: "0.30.0" });
      const connection = await connect(api, id);
      await connection.kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({
        namespace: "default",
        body: { metadata: { name: "greeting" }, data: { hello: "world" } },
      });
      await connection.close();

      const spec = (await api.vcluster.get({ id })).spec as VClusterSpecInput;
      await expect(api.vcluster.update({ id, spec: { ...spec, kubernetesVersion: "1.35.0" } })).rejects.toMatchObject({
        message: expect.stringContaining("Kubernetes 1.35.0 is not supported by vcluster chart 0.30.0"),
      });
      await t.db.hostCluster.update({ where: { id: host.id }, data: { chartVersion: null } });
      expect(await api.vcluster.get({ id })).toMatchObject({ chartVersion: "0.30.0", pinnedChartVersion: "0.36.1" });
      await expect(api.vcluster.upgradeChart({ id, chartVersion: "0.31.0" })).rejects.toMatchObject({
        message: expect.stringContaining("pins chart version 0.36.1"),
      });
      await settled((await api.vcluster.upgradeChart({ id, chartVersion: "0.36.1" })).operationId);
      expect(await api.vcluster.get({ id })).toMatchObject({ phase: "RUNNING", chartVersion: "0.36.1" });
      const sts = await apps.readNamespacedStatefulSet({
        namespace: (await api.vcluster.get({ id })).namespace,
        name: "veteran",
      });
      expect(sts.metadata?.labels?.chart).toBe("vcluster-0.36.1");
      const after = await connect(api, id);
      expect(await greeting(after.kc)).toEqual({ hello: "world" });
      await after.close();
      await expect(api.vcluster.upgradeChart({ id, chartVersion: "0.36.1" })).rejects.toMatchObject({
        message: expect.stringContaining("already runs chart 0.36.1"),
      });
      await settled((await api.vcluster.delete({ id, confirmName: "veteran" })).operationId);
    } finally {
      await t.db.hostCluster.update({ where: { id: host.id }, data: { chartVersion: null } });
    }
  });
});
