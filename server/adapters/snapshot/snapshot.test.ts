import { AppsV1Api, ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { PassThrough, Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectVirtual, type VirtualConnection } from "@/server/testing/connect-virtual";
import { testChart } from "@/server/testing/test-chart";
import { eventually, startTestHost, testSpec, testTarget, type TestHost } from "@/server/testing/test-host";
import { createVClusterAdapter } from "../vcluster/kubernetes-vcluster-adapter";
import { applyObjects, previewRestore } from "./apply";
import type { KubeObject, SnapshotManifest } from "./format";
import { discoverResourceTypes } from "./discovery";
import { exportCluster, snapshotObjects } from "./export";
import { createKubeApi } from "./kube-api";
import { readSnapshot } from "./read";

let host: TestHost;
let kubeconfig: string;
let core: CoreV1Api;
let custom: CustomObjectsApi;

let connection: VirtualConnection;

/** A vcluster from the real chart, reached through a port-forward as `vcluster connect` does. */
async function startVCluster(): Promise<string> {
  const chart = testChart();
  const adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, chart });
  const target = testTarget("snap");
  await adapter.install(target, testSpec(), chart.version);
  await eventually(
    async () => ((await adapter.status(target)).readyReplicas === 1 ? true : undefined),
    "control plane ready",
  );
  const { kubeconfig: downloaded } = await adapter.kubeconfig(target);
  connection = await connectVirtual(host.sim.kubeconfig, target, downloaded);
  return connection.kc.exportConfig();
}

async function seed(): Promise<void> {
  await core.createNamespace({ body: { metadata: { name: "team" } } });
  for (let i = 0; i < 3; i++)
    await core.createNamespacedConfigMap({
      namespace: "team",
      body: { metadata: { name: `cm-${i}`, labels: { i: String(i) } }, data: { value: `v${i}` } },
    });
  await core.createNamespacedSecret({
    namespace: "team",
    body: { metadata: { name: "creds" }, stringData: { password: "hunter2" } },
  });
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const labels = { app: "web" };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: "team",
    body: {
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } },
      },
    },
  });
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  await crds.createCustomResourceDefinition({
    body: {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } },
          },
        ],
      },
    },
  });
  await eventually(
    async () =>
      (await crds.readCustomResourceDefinition({ name: "widgets.example.com" })).status?.conditions?.some(
        (c) => c.type === "Established" && c.status === "True",
      )
        ? true
        : undefined,
    "CRD established",
  );
  for (const name of ["w1", "w2"])
    await eventually(
      () =>
        custom.createNamespacedCustomObject({
          group: "example.com",
          version: "v1",
          namespace: "team",
          plural: "widgets",
          body: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name }, spec: { size: name.length } },
        }),
      `widget ${name}`,
    );
  // the Deployment's ReplicaSet exists before the export, so that skipping controller-owned objects is exercised
  await eventually(
    async () =>
      (await kc.makeApiClient(AppsV1Api).listNamespacedReplicaSet({ namespace: "team" })).items.length
        ? true
        : undefined,
    "replicaset",
  );
}

/** The cluster's current snapshot objects, keyed by reference. */
async function current(): Promise<Map<string, KubeObject>> {
  const api = createKubeApi(kubeconfig);
  try {
    const out = new Map<string, KubeObject>();
    for await (const o of snapshotObjects(api, await discoverResourceTypes(api)))
      out.set(`${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
    return out;
  } finally {
    api.close();
  }
}

async function exportToBuffer(): Promise<{ payload: Buffer; manifest: SnapshotManifest }> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (c: Buffer) => chunks.push(c));
  const manifest = await exportCluster(kubeconfig, sink);
  return { payload: Buffer.concat(chunks), manifest };
}

async function readAll(payload: Buffer, sha256: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for await (const o of readSnapshot(Readable.from([payload]), sha256)) out.push(o);
  return out;
}

beforeAll(async () => {
  host = await startTestHost();
  kubeconfig = await startVCluster();
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  await seed();
});
afterAll(async () => {
  await connection?.close();
  await host.close();
});

describe("snapshot export and restore on a virtual cluster", () => {
  it("round trip: export, change, preview, restore gives back exactly the exported objects", async () => {
    const before = await current();
    const { payload, manifest } = await exportToBuffer();
    expect(manifest).toMatchObject({ formatVersion: 1, kubernetesVersion: "v1.31.1", sizeBytes: payload.length });
    expect(manifest.counts).toMatchObject({
      ConfigMap: 3,
      Secret: 1,
      "Deployment.apps": 1,
      "Widget.example.com": 2,
      "CustomResourceDefinition.apiextensions.k8s.io": 1,
    });
    expect(manifest.counts["ReplicaSet.apps"]).toBeUndefined();
    expect(manifest.counts.Pod).toBeUndefined();
    const objects = await readAll(payload, manifest.sha256);
    expect(objects).toHaveLength(manifest.objectCount);
    for (const o of objects) expect(o.metadata).not.toHaveProperty("uid");
    expect(objects.find((o) => o.kind === "Deployment")).not.toHaveProperty("status");

    await core.deleteNamespacedConfigMap({ namespace: "team", name: "cm-0" });
    await core.deleteNamespacedSecret({ namespace: "team", name: "creds" });
    await core.patchNamespacedConfigMap({
      namespace: "team",
      name: "cm-1",
      body: [{ op: "add", path: "/data/extra", value: "added" }],
    });
    await custom.deleteNamespacedCustomObject({
      group: "example.com",
      version: "v1",
      namespace: "team",
      plural: "widgets",
      name: "w2",
    });
    await core.createNamespacedConfigMap({
      namespace: "team",
      body: { metadata: { name: "after-snapshot" }, data: { x: "y" } },
    });

    const plan = await previewRestore(kubeconfig, objects, { prune: true });
    expect(plan.create.sort()).toEqual(["ConfigMap/team/cm-0", "Secret/team/creds", "Widget.example.com/team/w2"]);
    expect(plan.change).toEqual(["ConfigMap/team/cm-1"]);
    expect(plan.delete).toEqual(["ConfigMap/team/after-snapshot"]);
    expect((await previewRestore(kubeconfig, objects)).delete).toEqual([]);

    const done = await applyObjects(kubeconfig, objects, { prune: true });
    expect({ ...done, create: [...done.create].sort() }).toEqual(plan);
    expect(await current()).toEqual(before);
    // re-running a restore changes nothing
    expect(await applyObjects(kubeconfig, objects, { prune: true })).toEqual({ create: [], change: [], delete: [] });
  });

  it("refuses a tampered or truncated payload before yielding anything", async () => {
    const { payload, manifest } = await exportToBuffer();
    const tampered = Buffer.from(payload);
    tampered[Math.floor(tampered.length / 2)] ^= 0xff;
    let yielded = 0;
    const attempt = async (bytes: Buffer) => {
      for await (const _o of readSnapshot(Readable.from([bytes]), manifest.sha256)) yielded++;
    };
    await expect(attempt(tampered)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("corrupt or truncated"),
    });
    await expect(attempt(payload.subarray(0, payload.length - 10))).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    expect(yielded).toBe(0);
    const before = await current();
    await expect(
      applyObjects(kubeconfig, readSnapshot(Readable.from([tampered]), manifest.sha256), { prune: true }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(await current()).toEqual(before);
  });

  it("refuses a payload with a matching checksum that is not a snapshot", async () => {
    const { createHash } = await import("node:crypto");
    const junk = gzipSync(Buffer.from('{"not":"an object"}\n'));
    await expect(readAll(junk, createHash("sha256").update(junk).digest("hex"))).rejects.toMatchObject({
      code: "INVALID",
    });
  });
});
