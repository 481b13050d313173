import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
let core: CoreV1Api;
const ns = "quota";

beforeAll(async () => {
  t = await startTestSim();
  core = t.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => t.close());

describe("resource quotas and limit ranges", () => {
  it("defaults container resources, enforces hard limits, reports usage, and lets controllers retry", async () => {
    await core.createNamespacedLimitRange({
      namespace: ns,
      body: {
        metadata: { name: "defaults" },
        spec: {
          limits: [
            {
              type: "Container",
              defaultRequest: { cpu: "250m", memory: "64Mi" },
              _default: { cpu: "500m", memory: "128Mi" },
            },
          ],
        },
      },
    });
    await core.createNamespacedResourceQuota({
      namespace: ns,
      body: {
        metadata: { name: "compute" },
        spec: { hard: { pods: "3", "requests.cpu": "600m", "limits.memory": "1Gi", "count/configmaps": "3" } },
      },
    });

    const pod = await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: "p1" }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } },
    });
    expect(pod.spec?.containers[0].resources).toEqual({
      requests: { cpu: "250m", memory: "64Mi" },
      limits: { cpu: "500m", memory: "128Mi" },
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: "p2" }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } },
    });
    const refused = await core
      .createNamespacedPod({
        namespace: ns,
        body: { metadata: { name: "p3" }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } },
      })
      .catch((e: { code?: number; body?: string }) => e);
    expect(refused).toMatchObject({ code: 403 });
    expect(JSON.parse((refused as { body: string }).body).message).toContain(
      "exceeded quota: compute, requested: requests.cpu=250m, used: requests.cpu=500m, limited: requests.cpu=600m",
    );

    const status = await eventually(async () => {
      const q = await core.readNamespacedResourceQuota({ namespace: ns, name: "compute" });
      return q.status?.used?.pods === "2" ? q.status : undefined;
    }, "quota usage reported");
    expect(status.used).toMatchObject({ "requests.cpu": "500m", "limits.memory": "256Mi", "count/configmaps": "1" });

    await core.deleteNamespacedPod({ namespace: ns, name: "p2" });
    const apps = t.kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: "d" },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: "d" } },
          template: {
            metadata: { labels: { app: "d" } },
            spec: { containers: [{ name: "c", image: "nginx:1.25", resources: { requests: { cpu: "100m" } } }] },
          },
        },
      },
    });
    await eventually(
      async () =>
        (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=d" })).items.length === 2 ? true : undefined,
      "two of three pods admitted",
    );
    const events = await eventually(async () => {
      const ev = await core.listNamespacedEvent({ namespace: ns, fieldSelector: "reason=FailedCreate" });
      return ev.items.length > 0 ? ev.items : undefined;
    }, "FailedCreate event");
    expect(events[0].message).toContain("exceeded quota");
    await core.patchNamespacedResourceQuota(
      { namespace: ns, name: "compute", body: { spec: { hard: { pods: "4" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await eventually(
      async () =>
        (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=d" })).items.length === 3 ? true : undefined,
      "third pod after quota raised",
    );
  });
});
