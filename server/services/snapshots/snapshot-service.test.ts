import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSim } from "@open-vcluster/hostsim";
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import { runDueSchedules } from "@/server/services/snapshots/schedules";
import { startEmbeddedS3 } from "@/server/launch/embedded-s3";
import { callerFor } from "@/server/testing/caller";
import { connectVirtual, type VirtualConnection } from "@/server/testing/connect-virtual";
import { waitForOperation } from "@/server/testing/engine-harness";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { startSnapshotEnvironment, type SnapshotEnvironment } from "@/server/testing/snapshot-environment";
import type { TestDatabase } from "@/server/testing/test-database";

let env: SnapshotEnvironment;
let t: TestDatabase;
let sim: HostSim;
let store: ObjectStore;

beforeAll(async () => {
  // the worker reads `store` on each use, so a test can swap in a store that is down
  env = await startSnapshotEnvironment({ worker: { objectStore: () => store } });
  ({ t, sim, store } = env);
});
afterAll(async () => {
  for (const c of connections) await c.close();
  await env?.stop();
});

async function team() {
  const member = await createUser(t.db);
  const project = await createProject(t.db, [{ userId: member.id, role: "MEMBER" }]);
  return { member, project, api: callerFor(t.db, actorOf(member)) };
}

const connections: VirtualConnection[] = [];

/** Inside the virtual cluster as the host's admin sees it (`vcluster connect`), not through the portal. */
async function connect(api: ReturnType<typeof callerFor>, id: string): Promise<KubeConfig> {
  const v = await api.vcluster.get({ id });
  const connection = await connectVirtual(sim.kubeconfig, { name: v.name, namespace: v.namespace });
  connections.push(connection);
  return connection.kc;
}

async function runningCluster(api: ReturnType<typeof callerFor>, projectId: string, name: string) {
  const created = await api.vcluster.create({ projectId, name });
  expect((await waitForOperation(t.db, created.operationId)).state).toBe("SUCCEEDED");
  return { id: created.vcluster.id, kc: await connect(api, created.vcluster.id) };
}

async function seed(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "team" } } });
  for (const name of ["one", "two", "three"])
    await core.createNamespacedConfigMap({ namespace: "team", body: { metadata: { name }, data: { value: name } } });
  await core.createNamespacedSecret({
    namespace: "team",
    body: { metadata: { name: "creds" }, stringData: { password: "hunter2" } },
  });
  const labels = { app: "web" };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: "team",
    body: {
      metadata: { name: "web" },
      spec: {
        replicas: 1,
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
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (let i = 0; i < 100; i++) {
    try {
      await custom.createNamespacedCustomObject({
        group: "example.com",
        version: "v1",
        namespace: "team",
        plural: "widgets",
        body: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1" }, spec: { size: 3 } },
      });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error("the Widget CRD never became usable");
}

/** Polls until `done` (bounded only to stop a hung test). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

async function configMaps(kc: KubeConfig): Promise<Record<string, string | undefined>> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: "team" });
  return Object.fromEntries(
    list.items
      .filter((c) => c.metadata?.name !== "kube-root-ca.crt")
      .map((c) => [c.metadata?.name ?? "", c.data?.value]),
  );
}

describe("SnapshotService", () => {
  it("snapshots to S3, previews and restores exactly the snapshotted objects, and clones", async () => {
    const { project, api } = await team();
    const { id, kc } = await runningCluster(api, project.id, "snap-src");
    await seed(kc);

    const requested = await api.snapshot.create({ vclusterId: id, name: "before" });
    expect(requested.vcluster.phase).toBe("SNAPSHOTTING");
    expect((await waitForOperation(t.db, requested.operationId)).state).toBe("SUCCEEDED");
    const snapshot = await api.snapshot.get({ id: requested.snapshot.id });
    expect(snapshot).toMatchObject({
      status: "READY",
      name: "before",
      storageUri: expect.stringContaining(`${project.id}/snap-src/${snapshot.id}/`),
    });
    expect(snapshot.counts).toMatchObject({
      ConfigMap: 3,
      Secret: 1,
      "Deployment.apps": 1,
      "Widget.example.com": 1,
      "CustomResourceDefinition.apiextensions.k8s.io": 1,
    });
    expect(
      (await store.list(`${project.id}/snap-src/${snapshot.id}/`)).map((o) => o.key.split("/").pop()).sort(),
    ).toEqual(["manifest.json", "objects.ndjson.gz"]);
    expect((await api.vcluster.get({ id })).phase).toBe("RUNNING");
    // what the store holds is ciphertext: neither the Secret's value nor even gzip's magic bytes are in it
    const raw = objectStoreFrom({
      S3_ENDPOINT: process.env.S3_ENDPOINT,
      S3_BUCKET: process.env.S3_BUCKET,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY,
    });
    const stored: Buffer[] = [];
    for await (const chunk of await raw.getStream(`${project.id}/snap-src/${snapshot.id}/objects.ndjson.gz`))
      stored.push(chunk as Buffer);
    raw.destroy();
    expect(Buffer.concat(stored).subarray(0, 4).toString()).toBe("OVCE");

    const core = kc.makeApiClient(CoreV1Api);
    await core.deleteNamespacedConfigMap({ name: "one", namespace: "team" });
    await core.replaceNamespacedConfigMap({
      name: "two",
      namespace: "team",
      body: { metadata: { name: "two" }, data: { value: "changed" } },
    });
    await core.createNamespacedConfigMap({
      namespace: "team",
      body: { metadata: { name: "extra" }, data: { value: "new" } },
    });

    const plan = await api.snapshot.preview({ vclusterId: id, snapshotId: snapshot.id, prune: true });
    expect(plan.create).toContain("ConfigMap/team/one");
    expect(plan.change).toContain("ConfigMap/team/two");
    expect(plan.delete).toContain("ConfigMap/team/extra");

    const restore = await api.snapshot.restore({ vclusterId: id, snapshotId: snapshot.id, prune: true });
    expect(restore.vcluster.phase).toBe("RESTORING");
    expect((await waitForOperation(t.db, restore.operationId)).state).toBe("SUCCEEDED");
    expect(await configMaps(kc)).toEqual({ one: "one", two: "two", three: "three" });
    expect((await api.vcluster.get({ id })).phase).toBe("RUNNING");

    const clone = await api.snapshot.clone({ snapshotId: snapshot.id, name: "snap-clone" });
    expect((await waitForOperation(t.db, clone.operationId)).state).toBe("SUCCEEDED");
    const cloneKc = await connect(api, clone.vcluster.id);
    expect(await configMaps(cloneKc)).toEqual({ one: "one", two: "two", three: "three" });
    const widgets = await cloneKc
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group: "example.com", version: "v1", namespace: "team", plural: "widgets" });
    expect((widgets as { items: { metadata: { name: string } }[] }).items.map((w) => w.metadata.name)).toEqual(["w1"]);
  });

  it("refuses a tampered payload before touching the cluster, and the cluster runs on", async () => {
    const { project, api } = await team();
    const { id, kc } = await runningCluster(api, project.id, "tamper");
    await kc
      .makeApiClient(CoreV1Api)
      .createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "keep" }, data: { value: "v" } } });
    const requested = await api.snapshot.create({ vclusterId: id });
    await waitForOperation(t.db, requested.operationId);
    const key = `${project.id}/tamper/${requested.snapshot.id}/objects.ndjson.gz`;
    await store.putStream(key, Readable.from([Buffer.from("not the snapshot")]), { contentType: "application/gzip" });
    await kc.makeApiClient(CoreV1Api).deleteNamespacedConfigMap({ name: "keep", namespace: "default" });

    const restore = await api.snapshot.restore({ vclusterId: id, snapshotId: requested.snapshot.id });
    const op = await waitForOperation(t.db, restore.operationId);
    expect(op).toMatchObject({ state: "FAILED", lastError: expect.stringContaining("corrupt or truncated") });
    expect(await api.vcluster.get({ id })).toMatchObject({ phase: "RUNNING", reason: "RestoreFailed" });
    await expect(
      kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: "keep", namespace: "default" }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it("fails a snapshot cleanly when S3 is down: FAILED, no READY snapshot, the cluster back to RUNNING", async () => {
    const { project, api } = await team();
    const { id } = await runningCluster(api, project.id, "s3down");
    const deadDir = await mkdtemp(path.join(tmpdir(), "ovc-s3-dead-"));
    const dead = await startEmbeddedS3({ dataDir: deadDir });
    const deadStore = objectStoreFrom({
      S3_ENDPOINT: dead.endpoint,
      S3_BUCKET: dead.bucket,
      S3_REGION: dead.region,
      S3_ACCESS_KEY_ID: dead.accessKeyId,
      S3_SECRET_ACCESS_KEY: dead.secretAccessKey,
    });
    await dead.stop();
    const previous = store;
    store = deadStore;
    try {
      const requested = await api.snapshot.create({ vclusterId: id });
      const op = await waitForOperation(t.db, requested.operationId);
      expect(op.state).toBe("FAILED");
      expect(await api.snapshot.get({ id: requested.snapshot.id })).toMatchObject({
        status: "FAILED",
        reason: expect.stringMatching(/.+/),
      });
      expect(await api.vcluster.get({ id })).toMatchObject({ phase: "RUNNING", reason: "SnapshotFailed" });
      expect(await t.db.snapshot.count({ where: { vclusterId: id, status: "READY" } })).toBe(0);
    } finally {
      store = previous;
      await rm(deadDir, { recursive: true, force: true });
    }
  });

  it("keeps exactly the last N, runs schedules once, counts against the quota, and snapshots before a suspend", async () => {
    const { project, api } = await team();
    const { id } = await runningCluster(api, project.id, "retain");
    await api.snapshot.setPolicy({ vclusterId: id, keepLast: 2, schedule: "0 3 * * *" });
    const invalid = await api.snapshot
      .setPolicy({ vclusterId: id, keepLast: 2, schedule: "every day" })
      .catch((e: unknown) => e);
    expect(String(invalid)).toContain("schedule");
    for (const name of ["s1", "s2", "s3"])
      await waitForOperation(t.db, (await api.snapshot.create({ vclusterId: id, name })).operationId);
    // Retention runs once the third snapshot's operation has committed.
    const remaining = await until(
      () => api.snapshot.list({ vclusterId: id }),
      (list) => list.length === 2,
    );
    expect(remaining.map((s) => s.name)).toEqual(["s3", "s2"]);
    expect((await store.list(`${project.id}/retain/`)).length).toBe(4);

    const policy = await api.snapshot.policy({ vclusterId: id });
    const due = await runDueSchedules(t.db, new Date((policy.nextRunAt ?? new Date()).getTime() + 1000));
    expect(due).toBe(1);
    expect(await runDueSchedules(t.db, new Date((policy.nextRunAt ?? new Date()).getTime() + 1000))).toBe(0);
    const scheduled = await t.db.operation.findFirstOrThrow({
      where: { vclusterId: id, kind: "SNAPSHOT", requestedById: null },
    });
    await waitForOperation(t.db, scheduled.id);
    expect(
      (
        await until(
          () => api.snapshot.list({ vclusterId: id }),
          (list) => list.length === 2,
        )
      ).map((s) => s.status),
    ).toEqual(["READY", "READY"]);

    await t.db.quota.create({
      data: {
        projectId: project.id,
        maxVClusters: 5,
        maxCpuMillis: 100_000,
        maxMemoryBytes: 1n << 40n,
        maxStorageBytes: 1n << 40n,
        maxSnapshots: 2,
      },
    });
    const overQuota = await api.snapshot.create({ vclusterId: id }).catch((e: unknown) => e);
    expect(String(overQuota)).toContain("snapshots would be 3, the limit is 2");
    await t.db.quota.update({ where: { projectId: project.id }, data: { maxSnapshots: 10 } });

    const suspend = await api.vcluster.suspend({ id, snapshotFirst: true });
    expect((await waitForOperation(t.db, suspend.operationId)).state).toBe("SUCCEEDED");
    expect((await api.vcluster.get({ id })).phase).toBe("SUSPENDED");
    expect((await api.snapshot.list({ vclusterId: id }))[0]).toMatchObject({ status: "READY" });

    const victim = (await api.snapshot.list({ vclusterId: id }))[0];
    await api.snapshot.delete({ id: victim.id });
    expect(await store.list(`${project.id}/retain/${victim.id}/`)).toEqual([]);
    expect(await t.db.snapshot.findUnique({ where: { id: victim.id } })).toBeNull();
  });
});
