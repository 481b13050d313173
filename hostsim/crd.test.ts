import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;

beforeAll(async () => {
  t = await startTestSim();
});
afterAll(async () => t.close());

const group = "demo.example.com";

describe("custom resources", () => {
  it("serves a CRD's kind dynamically, with status, pruning, and removal with the CRD", async () => {
    const ext = t.kc.makeApiClient(ApiextensionsV1Api);
    const custom = t.kc.makeApiClient(CustomObjectsApi);
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: `gadgets.${group}` },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: { type: "object", properties: { color: { type: "string" } } },
                    status: { type: "object", properties: { ready: { type: "boolean" } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    const crd = await eventually(async () => {
      const c = await ext.readCustomResourceDefinition({ name: `gadgets.${group}` });
      return c.status?.conditions?.some((x) => x.type === "Established" && x.status === "True") ? c : undefined;
    }, "CRD established");
    expect(crd.status?.acceptedNames?.kind).toBe("Gadget");

    const created = (await custom.createNamespacedCustomObject({
      group,
      version: "v1",
      namespace: "default",
      plural: "gadgets",
      body: { apiVersion: `${group}/v1`, kind: "Gadget", metadata: { name: "g1" }, spec: { color: "red", extra: 1 } },
    })) as { spec: Record<string, unknown>; metadata: { generation: number } };
    expect(created.spec).toEqual({ color: "red" });
    await custom.patchNamespacedCustomObjectStatus(
      { group, version: "v1", namespace: "default", plural: "gadgets", name: "g1", body: { status: { ready: true } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const read = (await custom.getNamespacedCustomObject({
      group,
      version: "v1",
      namespace: "default",
      plural: "gadgets",
      name: "g1",
    })) as { status: { ready: boolean }; metadata: { generation: number } };
    expect(read.status.ready).toBe(true);
    expect(read.metadata.generation).toBe(1);
    const smp = await custom
      .patchNamespacedCustomObject(
        {
          group,
          version: "v1",
          namespace: "default",
          plural: "gadgets",
          name: "g1",
          body: { spec: { color: "blue" } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
      )
      .catch((e: unknown) => e);
    expect(smp).toMatchObject({ code: 415 });

    await ext.deleteCustomResourceDefinition({ name: `gadgets.${group}` });
    await eventually(
      () =>
        custom.listNamespacedCustomObject({ group, version: "v1", namespace: "default", plural: "gadgets" }).then(
          () => undefined,
          (e: { code?: number }) => (e.code === 404 ? true : undefined),
        ),
      "kind no longer served",
    );
  });
});

describe("more list and write semantics", () => {
  it("supports dryRun, deletecollection, pod phase field selectors and sendInitialEvents", async () => {
    const core = t.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "more" } } });
    const dry = await core.createNamespacedConfigMap({
      namespace: "more",
      dryRun: "All",
      body: { metadata: { name: "dry" } },
    });
    expect(dry.metadata?.name).toBe("dry");
    await expect(core.readNamespacedConfigMap({ namespace: "more", name: "dry" })).rejects.toMatchObject({ code: 404 });

    for (const n of ["x1", "x2", "y1"])
      await core.createNamespacedConfigMap({
        namespace: "more",
        body: { metadata: { name: n, labels: { group: n[0] } } },
      });
    await core.deleteCollectionNamespacedConfigMap({ namespace: "more", labelSelector: "group=x" });
    expect(
      (await core.listNamespacedConfigMap({ namespace: "more", labelSelector: "group" })).items.map(
        (c) => c.metadata?.name,
      ),
    ).toEqual(["y1"]);

    await core.createNamespacedPod({
      namespace: "more",
      body: { metadata: { name: "runs" }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } },
    });
    await core.createNamespacedPod({
      namespace: "more",
      body: {
        metadata: { name: "waits" },
        spec: { containers: [{ name: "c", image: "busybox:1.36", resources: { requests: { memory: "1Ti" } } }] },
      },
    });
    await eventually(
      async () =>
        (await core.listNamespacedPod({ namespace: "more", fieldSelector: "status.phase=Running" })).items.length === 1
          ? true
          : undefined,
      "one running pod",
    );
    expect(
      (await core.listNamespacedPod({ namespace: "more", fieldSelector: "status.phase=Running" })).items.map(
        (p) => p.metadata?.name,
      ),
    ).toEqual(["runs"]);
    expect(
      (await core.listNamespacedPod({ namespace: "more", fieldSelector: "status.phase!=Running" })).items.map(
        (p) => p.metadata?.name,
      ),
    ).toEqual(["waits"]);
    await expect(core.listNamespacedPod({ namespace: "more", fieldSelector: "spec.bogus=1" })).rejects.toMatchObject({
      code: 400,
    });

    const u = new URL(
      `${t.sim.url}/api/v1/namespaces/more/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
    );
    const res = await fetchInsecure(u);
    expect(res.map((e) => e.type)).toEqual(["ADDED", "ADDED", "BOOKMARK"]);
    expect(res[2].object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
  });
});

async function fetchInsecure(
  u: URL,
): Promise<{ type: string; object: { metadata: { name?: string; annotations?: Record<string, string> } } }[]> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        ca: t.sim.caPem,
        headers: { Authorization: `Bearer ${t.sim.adminToken}` },
      },
      (res) => {
        let buf = "";
        res.on("data", (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split("\n").filter(Boolean);
          if (lines.some((l) => l.includes('"BOOKMARK"'))) {
            req.destroy();
            resolve(
              lines.map(
                (l) =>
                  JSON.parse(l) as {
                    type: string;
                    object: { metadata: { name?: string; annotations?: Record<string, string> } };
                  },
              ),
            );
          }
        });
      },
    );
    req.on("error", reject);
  });
}
