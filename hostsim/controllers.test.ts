import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1StatefulSet,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
let core: CoreV1Api;
let apps: AppsV1Api;
const ns = "ctl";

beforeAll(async () => {
  t = await startTestSim({ nodes: 2, nodeCpu: "2", nodeMemory: "4Gi", podReadyDelayMs: 40 });
  core = t.kc.makeApiClient(CoreV1Api);
  apps = t.kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => t.close());

function deployment(name: string, replicas: number, image: string, cpu = "100m"): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image, resources: { requests: { cpu, memory: "64Mi" } } }] },
      },
    },
  };
}

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

async function podsOf(selector: string) {
  return (await core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items;
}

describe("controllers", () => {
  it("rolls a Deployment out through a ReplicaSet to Running, Ready pods on nodes", async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("web", 3, "nginx:1.25") });
    const dep = await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns, name: "web" });
      return d.status?.availableReplicas === 3 && d.status.observedGeneration === d.metadata?.generation
        ? d
        : undefined;
    }, "deployment available");
    expect(dep.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3 });
    expect(dep.status?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");
    const rs = (await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=web" })).items;
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Deployment", name: "web", controller: true });
    const pods = await podsOf("app=web");
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.status?.phase).toBe("Running");
      expect(p.spec?.nodeName).toMatch(/^node-\d$/);
      expect(p.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
      expect(p.metadata?.ownerReferences?.[0].kind).toBe("ReplicaSet");
    }
    const events = await core.listNamespacedEvent({ namespace: ns });
    const reasons = new Set(events.items.map((e) => e.reason));
    for (const r of ["ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Started"]) expect(reasons).toContain(r);
  });

  it("scales through the scale subresource and rolls a new template", async () => {
    await apps.patchNamespacedDeploymentScale({ namespace: ns, name: "web", body: { spec: { replicas: 1 } } }, merge);
    await eventually(async () => ((await podsOf("app=web")).length === 1 ? true : undefined), "scaled to 1");
    const scale = await apps.readNamespacedDeploymentScale({ namespace: ns, name: "web" });
    expect(scale.spec?.replicas).toBe(1);
    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "web",
        body: { spec: { replicas: 2, template: { spec: { containers: [{ name: "main", image: "nginx:1.27" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns, name: "web" });
      const pods = await podsOf("app=web");
      return d.status?.updatedReplicas === 2 &&
        d.status.replicas === 2 &&
        d.status.availableReplicas === 2 &&
        pods.length === 2 &&
        pods.every((p) => p.spec?.containers[0].image === "nginx:1.27" && p.status?.phase === "Running")
        ? true
        : undefined;
    }, "rollout to nginx:1.27");
    const rs = (await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=web" })).items;
    expect(rs).toHaveLength(2);
    expect(rs.map((r) => r.spec?.replicas).sort()).toEqual([0, 2]);
    expect(
      (await apps.readNamespacedDeployment({ namespace: ns, name: "web" })).metadata?.annotations?.[
        "deployment.kubernetes.io/revision"
      ],
    ).toBe("2");
  });

  it("keeps pods Pending with FailedScheduling when no node has room, and schedules them when room appears", async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("big", 1, "busybox:1.36", "3") });
    const pending = await eventually(async () => {
      const p = (await podsOf("app=big"))[0];
      return p?.status?.conditions?.some((c) => c.reason === "Unschedulable") ? p : undefined;
    }, "unschedulable pod");
    expect(pending.status?.phase).toBe("Pending");
    expect(pending.spec?.nodeName).toBeUndefined();
    const events = await core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: `involvedObject.name=${pending.metadata?.name}`,
    });
    expect(events.items.find((e) => e.reason === "FailedScheduling")?.message).toContain("Insufficient cpu");
    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "big",
        body: {
          spec: {
            template: {
              spec: {
                containers: [{ name: "main", image: "busybox:1.36", resources: { requests: { cpu: "1500m" } } }],
              },
            },
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    await eventually(
      async () => ((await podsOf("app=big")).some((p) => p.status?.phase === "Running") ? true : undefined),
      "pod scheduled after resize",
    );
  });

  it("runs a StatefulSet in order, with ordinals, counters, PVCs and rolling updates", async () => {
    const sts: V1StatefulSet = {
      metadata: { name: "db" },
      spec: {
        replicas: 3,
        serviceName: "db",
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "postgres:16" }] } },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    };
    await apps.createNamespacedStatefulSet({ namespace: ns, body: sts });
    const created: string[] = [];
    await eventually(async () => {
      for (const p of await podsOf("app=db"))
        if (!created.includes(p.metadata?.name ?? "")) created.push(p.metadata?.name ?? "");
      const s = await apps.readNamespacedStatefulSet({ namespace: ns, name: "db" });
      return s.status?.readyReplicas === 3 ? s : undefined;
    }, "statefulset ready");
    expect(created).toEqual(["db-0", "db-1", "db-2"]);
    const s = await apps.readNamespacedStatefulSet({ namespace: ns, name: "db" });
    expect(s.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    expect(s.status?.currentRevision).toBe(s.status?.updateRevision);
    const pvcs = (await core.listNamespacedPersistentVolumeClaim({ namespace: ns })).items.map(
      (p) => `${p.metadata?.name}:${p.status?.phase}`,
    );
    expect(pvcs.sort()).toEqual(["data-db-0:Bound", "data-db-1:Bound", "data-db-2:Bound"]);

    await apps.patchNamespacedStatefulSet(
      {
        namespace: ns,
        name: "db",
        body: { spec: { template: { spec: { containers: [{ name: "db", image: "postgres:17" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const rolled = await eventually(async () => {
      const x = await apps.readNamespacedStatefulSet({ namespace: ns, name: "db" });
      return x.status?.updatedReplicas === 3 &&
        x.status.readyReplicas === 3 &&
        x.status.currentRevision === x.status.updateRevision &&
        x.status.observedGeneration === 2
        ? x
        : undefined;
    }, "statefulset rolled");
    expect(rolled.status?.updateRevision).not.toBe(s.status?.updateRevision);
    expect((await podsOf("app=db")).every((p) => p.spec?.containers[0].image === "postgres:17")).toBe(true);

    await apps.patchNamespacedStatefulSetScale({ namespace: ns, name: "db", body: { spec: { replicas: 1 } } }, merge);
    await eventually(async () => {
      const pods = await podsOf("app=db");
      return pods.length === 1 && pods[0].metadata?.name === "db-0" ? true : undefined;
    }, "scaled down to db-0");
    await eventually(
      async () =>
        (await apps.readNamespacedStatefulSet({ namespace: ns, name: "db" })).status?.replicas === 1 ? true : undefined,
      "status replicas 1",
    );
  });

  it("garbage-collects dependents by ownerReferences", async () => {
    await apps.deleteNamespacedDeployment({ namespace: ns, name: "web" });
    await eventually(async () => {
      const rs = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=web" });
      const pods = await podsOf("app=web");
      return rs.items.length === 0 && pods.length === 0 ? true : undefined;
    }, "replicasets and pods collected");
    const owner = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "owner" } } });
    const ref = { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata?.uid ?? "" };
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "dependent", ownerReferences: [ref] } },
    });
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "orphaned", ownerReferences: [ref] } },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "owner", propagationPolicy: "Orphan" });
    await eventually(async () => {
      const o = await core.readNamespacedConfigMap({ namespace: ns, name: "orphaned" });
      return (o.metadata?.ownerReferences ?? []).length === 0 ? true : undefined;
    }, "dependents orphaned");
    await expect(core.readNamespacedConfigMap({ namespace: ns, name: "owner" })).rejects.toMatchObject({ code: 404 });
  });

  it("deletes in the foreground: the owner waits for its dependents", async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("fg", 2, "nginx:1.25") });
    await eventually(async () => ((await podsOf("app=fg")).length === 2 ? true : undefined), "fg pods");
    await apps.deleteNamespacedDeployment({ namespace: ns, name: "fg", propagationPolicy: "Foreground" });
    await eventually(async () => {
      const gone = await apps.readNamespacedDeployment({ namespace: ns, name: "fg" }).then(
        () => false,
        () => true,
      );
      return gone ? true : undefined;
    }, "fg deployment gone");
    expect(await podsOf("app=fg")).toHaveLength(0);
    expect((await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=fg" })).items).toHaveLength(0);
  });

  it("keeps a Service's Endpoints to its ready pods, and serves their logs", async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("ep", 2, "nginx:1.25") });
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: "ep" },
        spec: { selector: { app: "ep" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      },
    });
    const ep = await eventually(async () => {
      const e = await core.readNamespacedEndpoints({ namespace: ns, name: "ep" });
      return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    }, "two ready endpoints");
    expect(ep.subsets?.[0].ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    const pods = await podsOf("app=ep");
    expect(ep.subsets?.[0].addresses?.map((a) => a.ip).sort()).toEqual(pods.map((p) => p.status?.podIP).sort());
    const log = await core.readNamespacedPodLog({ namespace: ns, name: pods[0].metadata?.name ?? "" });
    expect(log).toContain("started container main from image nginx:1.25");
    await apps.patchNamespacedDeploymentScale({ namespace: ns, name: "ep", body: { spec: { replicas: 1 } } }, merge);
    await eventually(
      async () =>
        (await core.readNamespacedEndpoints({ namespace: ns, name: "ep" })).subsets?.[0]?.addresses?.length === 1
          ? true
          : undefined,
      "one endpoint after scale-down",
    );
  });
});
