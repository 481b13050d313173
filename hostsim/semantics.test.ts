import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Deployment,
} from "@kubernetes/client-node";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
let core: CoreV1Api;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;
const ns = "sem";

beforeAll(async () => {
  t = await startTestSim();
  core = t.kc.makeApiClient(CoreV1Api);
  apps = t.kc.makeApiClient(AppsV1Api);
  objects = KubernetesObjectApi.makeApiClient(t.kc);
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => t.close());

const strategic = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const body = (e: unknown) =>
  JSON.parse((e as { body: string }).body) as { reason: string; code: number; message: string };

function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: string,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(t.sim.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        method,
        host: u.hostname,
        port: u.port,
        path,
        ca: t.sim.caPem,
        headers: { Authorization: `Bearer ${t.sim.adminToken}`, ...headers },
      },
      (res) => {
        let b = "";
        res.on("data", (d: Buffer) => (b += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: b, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

function deployment(name: string): V1Deployment {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "a",
              image: "a:1",
              env: [
                { name: "X", value: "1" },
                { name: "Y", value: "2" },
              ],
              ports: [{ containerPort: 80 }],
            },
            { name: "b", image: "b:1" },
          ],
        },
      },
    },
  };
}

describe("patches", () => {
  it("applies JSON patch, merge patch and strategic merge patch with merge keys and directives", async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("p") });
    await apps.patchNamespacedDeployment({
      namespace: ns,
      name: "p",
      body: [
        { op: "replace", path: "/spec/replicas", value: 0 },
        { op: "add", path: "/metadata/labels", value: { j: "1" } },
      ],
    });
    await apps.patchNamespacedDeployment(
      { namespace: ns, name: "p", body: { metadata: { labels: { m: "2" } } } },
      merge,
    );
    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "p",
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "a",
                    image: "a:2",
                    env: [
                      { name: "Y", $patch: "delete" },
                      { name: "Z", value: "3" },
                    ],
                  },
                  { name: "c", image: "c:1" },
                ],
              },
            },
          },
        },
      },
      strategic,
    );
    const d = await apps.readNamespacedDeployment({ namespace: ns, name: "p" });
    expect(d.metadata?.labels).toEqual({ j: "1", m: "2" });
    expect(d.spec?.replicas).toBe(0);
    const cs = d.spec?.template.spec?.containers ?? [];
    expect(cs.map((c) => `${c.name}=${c.image}`)).toEqual(["a=a:2", "b=b:1", "c=c:1"]);
    expect(cs[0].env?.map((e) => e.name)).toEqual(["X", "Z"]);
    expect(cs[0].ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);

    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "p",
        body: {
          spec: {
            template: {
              spec: {
                "$setElementOrder/containers": [{ name: "c" }, { name: "a" }, { name: "b" }],
                containers: [{ name: "c", image: "c:2" }],
              },
            },
          },
        },
      },
      strategic,
    );
    const ordered = await apps.readNamespacedDeployment({ namespace: ns, name: "p" });
    expect(ordered.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual([
      "c=c:2",
      "a=a:2",
      "b=b:1",
    ]);

    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: "p",
        body: { spec: { template: { spec: { containers: [{ name: "only", image: "o:1" }, { $patch: "replace" }] } } } },
      },
      strategic,
    );
    const replaced = await apps.readNamespacedDeployment({ namespace: ns, name: "p" });
    expect(replaced.spec?.template.spec?.containers.map((c) => c.name)).toEqual(["only"]);
    expect(replaced.metadata?.generation).toBeGreaterThan(d.metadata?.generation ?? 0);
  });

  it("refuses a JSON patch whose test fails and keeps the object", async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "jp" }, data: { a: "1" } } });
    await expect(
      core.patchNamespacedConfigMap({
        namespace: ns,
        name: "jp",
        body: [
          { op: "test", path: "/data/a", value: "2" },
          { op: "replace", path: "/data/a", value: "3" },
        ],
      }),
    ).rejects.toMatchObject({ code: 500 });
    expect((await core.readNamespacedConfigMap({ namespace: ns, name: "jp" })).data).toEqual({ a: "1" });
  });
});

describe("server-side apply", () => {
  const cm = (manager: string, data: Record<string, string>): V1ConfigMap & KubernetesObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `ssa`, namespace: ns, labels: { owner: manager } },
    data,
  });

  it("creates, tracks managers, conflicts unless forced, and removes fields a manager stops applying", async () => {
    const apply = (obj: KubernetesObject, manager: string, force = false) =>
      objects.patch(obj, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);
    const created = (await apply(cm("alice", { a: "1", b: "1" }), "alice")) as V1ConfigMap;
    expect(created.data).toEqual({ a: "1", b: "1" });
    expect(created.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toEqual(["alice/Apply"]);
    const conflict = await apply({ ...cm("bob", { a: "2" }), metadata: { name: "ssa", namespace: ns } }, "bob").catch(
      (e: unknown) => e,
    );
    expect(conflict).toMatchObject({ code: 409 });
    expect(body(conflict).message).toContain('conflict with "alice"');
    const shared = (await apply(
      { ...cm("bob", { a: "1", c: "3" }), metadata: { name: "ssa", namespace: ns } },
      "bob",
    )) as V1ConfigMap;
    expect(shared.data).toEqual({ a: "1", b: "1", c: "3" });
    const forced = (await apply(
      { ...cm("bob", { a: "9", c: "3" }), metadata: { name: "ssa", namespace: ns } },
      "bob",
      true,
    )) as V1ConfigMap;
    expect(forced.data?.a).toBe("9");
    const dropped = (await apply(cm("alice", { a: "9" }), "alice", true)) as V1ConfigMap;
    expect(dropped.data).toEqual({ a: "9", c: "3" });
    expect(dropped.metadata?.managedFields?.map((m) => m.manager).sort()).toEqual(["alice", "bob"]);
  });

  it("conflicts with an Update manager (e.g. kubectl scale) over replicas", async () => {
    const d = { apiVersion: "apps/v1", kind: "Deployment", ...deployment("ssa-dep") };
    await objects.patch(d, undefined, undefined, "deployer", false, PatchStrategy.ServerSideApply);
    await apps.patchNamespacedDeploymentScale(
      { namespace: ns, name: "ssa-dep", fieldManager: "scaler", body: { spec: { replicas: 3 } } },
      merge,
    );
    const err = await objects
      .patch(d, undefined, undefined, "deployer", false, PatchStrategy.ServerSideApply)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 409 });
    expect(body(err).message).toContain(".spec.replicas");
  });
});

describe("validation and defaulting", () => {
  it("honours fieldValidation Strict, Warn and Ignore", async () => {
    const payload = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "fv" },
      data: {},
      bogus: 1,
    });
    const strict = await raw(
      "POST",
      `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`,
      { "Content-Type": "application/json" },
      payload,
    );
    expect(strict.status).toBe(400);
    expect(strict.body).toContain('unknown field \\"bogus\\"');
    const warn = await raw(
      "POST",
      `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Warn`,
      { "Content-Type": "application/json" },
      payload,
    );
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain("unknown field");
    expect(JSON.parse(warn.body)).not.toHaveProperty("bogus");
    const ignore = await raw(
      "POST",
      `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Ignore`,
      { "Content-Type": "application/json" },
      payload.replace('"fv"', '"fv2"'),
    );
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
  });

  it("defaults and validates workloads", async () => {
    const d = await apps.createNamespacedDeployment({ namespace: ns, body: deployment("defaults") });
    expect(d.spec?.strategy?.type).toBe("RollingUpdate");
    expect(d.spec?.template.spec?.restartPolicy).toBe("Always");
    expect(d.spec?.template.spec?.containers[0].imagePullPolicy).toBe("IfNotPresent");
    const bad = deployment("bad");
    bad.spec!.selector = { matchLabels: { app: "other" } };
    const err = await apps.createNamespacedDeployment({ namespace: ns, body: bad }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 422 });
    expect(body(err).message).toContain("selector");
  });

  it("validates Lease MicroTime like a real apiserver", async () => {
    const leases = t.kc.makeApiClient(CoordinationV1Api);
    const now = new V1MicroTime();
    const lease = await leases.createNamespacedLease({
      namespace: ns,
      body: {
        metadata: { name: "leader" },
        spec: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: now, renewTime: now },
      },
    });
    expect(lease.spec?.holderIdentity).toBe("me");
    const stored = await raw("GET", `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/leader`, {});
    expect(JSON.parse(stored.body).spec.renewTime).toMatch(/\.\d{6}Z$/);
    const plain = await raw(
      "POST",
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
      { "Content-Type": "application/json" },
      JSON.stringify({ metadata: { name: "bad" }, spec: { renewTime: new Date().toISOString() } }),
    );
    expect(plain.status).toBe(400);
    expect(JSON.parse(plain.body)).toMatchObject({ kind: "Status", reason: "BadRequest" });
  });
});

describe("status, generation and subresources", () => {
  it("keeps status out of spec updates and spec out of status updates", async () => {
    const cr = await apps.createNamespacedDeployment({
      namespace: ns,
      body: { ...deployment("gen"), status: { replicas: 99 } },
    });
    expect(cr.status?.replicas).not.toBe(99);
    expect(cr.metadata?.generation).toBe(1);
    const cur = await apps.readNamespacedDeployment({ namespace: ns, name: "gen" });
    const upd = await apps.replaceNamespacedDeploymentStatus({
      namespace: ns,
      name: "gen",
      body: {
        ...cur,
        spec: { ...cur.spec!, replicas: 7 },
        status: { ...cur.status, observedGeneration: 1, replicas: 42 },
      },
    });
    expect(upd.spec?.replicas).toBe(1);
    expect(upd.status?.replicas).toBe(42);
    expect(upd.metadata?.generation).toBe(1);
    const labelled = await apps.patchNamespacedDeployment(
      { namespace: ns, name: "gen", body: { metadata: { labels: { x: "y" } } } },
      merge,
    );
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await apps.patchNamespacedDeployment(
      { namespace: ns, name: "gen", body: { spec: { replicas: 2 } } },
      merge,
    );
    expect(scaled.metadata?.generation).toBe(2);
    await eventually(
      async () =>
        (await apps.readNamespacedDeployment({ namespace: ns, name: "gen" })).status?.observedGeneration === 2
          ? true
          : undefined,
      "observedGeneration follows",
    );
  });

  it("answers Tables with columns for kubectl-style requests", async () => {
    const r = await raw("GET", `/apis/apps/v1/namespaces/${ns}/deployments`, {
      Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    const table = JSON.parse(r.body) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
    };
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Ready", "Up-to-date", "Available", "Age"]);
    expect(table.rows[0].object.kind).toBe("PartialObjectMetadata");
  });

  it("serves an OpenAPI v3 index and group-version documents", async () => {
    const index = JSON.parse((await raw("GET", "/openapi/v3", {})).body) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(["api/v1", "apis/apps/v1"]));
    const doc = JSON.parse((await raw("GET", index.paths["apis/apps/v1"].serverRelativeURL, {})).body) as {
      paths: Record<string, { patch?: { parameters: { name: string }[] } }>;
    };
    expect(
      doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch?.parameters.map((p) => p.name),
    ).toContain("fieldValidation");
  });
});

describe("finalizers and namespace termination", () => {
  it("holds an object with finalizers until they are removed", async () => {
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "fin", finalizers: ["example.com/hold"] } },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "fin" });
    const held = await core.readNamespacedConfigMap({ namespace: ns, name: "fin" });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await core.patchNamespacedConfigMap(
      { namespace: ns, name: "fin", body: { metadata: { finalizers: null } } },
      merge,
    );
    await expect(core.readNamespacedConfigMap({ namespace: ns, name: "fin" })).rejects.toMatchObject({ code: 404 });
  });

  it("terminates a namespace: Terminating, creates refused, content removed, then gone", async () => {
    await core.createNamespace({ body: { metadata: { name: "doomed" } } });
    await core.createNamespacedConfigMap({
      namespace: "doomed",
      body: { metadata: { name: "held", finalizers: ["example.com/hold"] } },
    });
    await core.createNamespacedConfigMap({ namespace: "doomed", body: { metadata: { name: "free" } } });
    await core.deleteNamespace({ name: "doomed" });
    const terminating = await core.readNamespace({ name: "doomed" });
    expect(terminating.status?.phase).toBe("Terminating");
    const again = await core.deleteNamespace({ name: "doomed" }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 409 });
    expect(body(again).message).toBe(
      'Operation cannot be fulfilled on namespaces "doomed": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
    );
    const refused = await core
      .createNamespacedConfigMap({ namespace: "doomed", body: { metadata: { name: "late" } } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 403 });
    expect(body(refused).message).toContain("being terminated");
    await eventually(
      async () =>
        (await core.listNamespacedConfigMap({ namespace: "doomed" })).items.map((c) => c.metadata?.name).join() ===
        "held"
          ? true
          : undefined,
      "content removed but held",
    );
    expect((await core.readNamespace({ name: "doomed" })).status?.phase).toBe("Terminating");
    await core.patchNamespacedConfigMap(
      { namespace: "doomed", name: "held", body: { metadata: { finalizers: null } } },
      merge,
    );
    await eventually(
      () =>
        core.readNamespace({ name: "doomed" }).then(
          () => undefined,
          (e: { code?: number }) => (e.code === 404 ? true : undefined),
        ),
      "namespace gone",
    );
  });
});
