import { AppsV1Api, CoreV1Api, type V1ConfigMap } from "@kubernetes/client-node";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
let core: CoreV1Api;

beforeAll(async () => {
  t = await startTestSim();
  core = t.kc.makeApiClient(CoreV1Api);
});
afterAll(async () => t.close());

function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; type: string }> {
  const u = new URL(t.sim.url);
  return new Promise((resolve, reject) => {
    https
      .get({ host: u.hostname, port: u.port, path, ca: t.sim.caPem, headers }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers["content-type"]) }));
      })
      .on("error", reject);
  });
}

describe("CRUD over HTTPS with client-node", () => {
  it("refuses requests without a valid bearer token", async () => {
    expect((await rawGet("/api/v1/namespaces")).status).toBe(401);
    expect((await rawGet("/api/v1/namespaces", { Authorization: "Bearer nope" })).status).toBe(401);
    expect((await rawGet("/api/v1/namespaces", { Authorization: `Bearer ${t.sim.adminToken}` })).status).toBe(200);
  });

  it("serves the default namespaces and nodes", async () => {
    const ns = await core.listNamespace();
    expect(ns.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease"]),
    );
    const nodes = await core.listNode();
    expect(nodes.items).toHaveLength(3);
    expect(nodes.items[0].status?.allocatable?.cpu).toBe("16");
  });

  it("creates, reads, updates and deletes a ConfigMap with resourceVersion semantics", async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "cm1", labels: { a: "1" } }, data: { k: "v" } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const rv1 = Number(created.metadata?.resourceVersion);
    await expect(
      core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cm1" } } }),
    ).rejects.toMatchObject({ code: 409 });
    const read = await core.readNamespacedConfigMap({ name: "cm1", namespace: "default" });
    expect(read.data).toEqual({ k: "v" });
    const updated = await core.replaceNamespacedConfigMap({
      name: "cm1",
      namespace: "default",
      body: { ...read, data: { k: "v2" } },
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(rv1);
    const stale: V1ConfigMap = { ...read, data: { k: "stale" } };
    const err = await core
      .replaceNamespacedConfigMap({ name: "cm1", namespace: "default", body: stale })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 409 });
    expect(JSON.parse((err as { body: string }).body)).toMatchObject({ kind: "Status", reason: "Conflict", code: 409 });
    await core.deleteNamespacedConfigMap({ name: "cm1", namespace: "default" });
    const missing = await core.readNamespacedConfigMap({ name: "cm1", namespace: "default" }).catch((e: unknown) => e);
    expect(JSON.parse((missing as { body: string }).body)).toMatchObject({
      kind: "Status",
      reason: "NotFound",
      code: 404,
      details: { name: "cm1", kind: "configmaps" },
    });
  });

  it("refuses creates in a namespace that does not exist", async () => {
    await expect(
      core.createNamespacedConfigMap({ namespace: "nope", body: { metadata: { name: "x" } } }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it("validates names and reports Invalid with causes", async () => {
    const err = await core
      .createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "Bad_Name" } } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 422 });
    expect(JSON.parse((err as { body: string }).body)).toMatchObject({
      reason: "Invalid",
      details: { causes: [expect.objectContaining({ field: "metadata.name" })] },
    });
  });

  it("generates names and defaults Secrets from stringData", async () => {
    const s = await core.createNamespacedSecret({
      namespace: "default",
      body: { metadata: { generateName: "sec-" }, stringData: { password: "hunter2" } },
    });
    expect(s.metadata?.name).toMatch(/^sec-[a-z0-9]{5}$/);
    expect(s.type).toBe("Opaque");
    expect(Buffer.from(s.data?.password ?? "", "base64").toString()).toBe("hunter2");
  });

  it("lists with label selectors, field selectors and pagination", async () => {
    for (let i = 0; i < 7; i++) {
      await core.createNamespacedConfigMap({
        namespace: "default",
        body: { metadata: { name: `page-${i}`, labels: { tier: i % 2 ? "odd" : "even", idx: String(i) } } },
      });
    }
    const even = await core.listNamespacedConfigMap({ namespace: "default", labelSelector: "tier=even" });
    expect(even.items.map((c) => c.metadata?.name)).toEqual(["page-0", "page-2", "page-4", "page-6"]);
    expect(
      (
        await core.listNamespacedConfigMap({ namespace: "default", labelSelector: "tier in (odd),idx notin (1)" })
      ).items.map((c) => c.metadata?.name),
    ).toEqual(["page-3", "page-5"]);
    expect(
      (await core.listNamespacedConfigMap({ namespace: "default", labelSelector: "tier,!missing,idx!=0,tier==even" }))
        .items,
    ).toHaveLength(3);
    expect(
      (await core.listNamespacedConfigMap({ namespace: "default", fieldSelector: "metadata.name=page-3" })).items,
    ).toHaveLength(1);
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: "default",
        labelSelector: "tier",
        limit: 3,
        _continue: cont,
      });
      names.push(...page.items.map((c) => c.metadata?.name ?? ""));
      cont = page.metadata?._continue;
    } while (cont);
    expect(names).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6"]);
    const all = await core.listConfigMapForAllNamespaces({
      fieldSelector: "metadata.namespace=default",
      labelSelector: "tier",
    });
    expect(all.items).toHaveLength(7);
  });

  it("serves discovery, legacy and aggregated", async () => {
    const auth = { Authorization: `Bearer ${t.sim.adminToken}` };
    const v = JSON.parse((await rawGet("/version", auth)).body) as { gitVersion: string; minor: string };
    expect(v.gitVersion).toBe("v1.33.1");
    const apis = JSON.parse((await rawGet("/apis", auth)).body) as { groups: { name: string }[] };
    expect(apis.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(["apps", "rbac.authorization.k8s.io", "coordination.k8s.io", "apiextensions.k8s.io"]),
    );
    const apps = JSON.parse((await rawGet("/apis/apps/v1", auth)).body) as { resources: { name: string }[] };
    expect(apps.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(["deployments", "deployments/scale", "statefulsets/status"]),
    );
    const agg = await rawGet("/apis", {
      ...auth,
      Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    });
    expect(agg.type).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const body = JSON.parse(agg.body) as { kind: string; items: { metadata: { name: string } }[] };
    expect(body.kind).toBe("APIGroupDiscoveryList");
    expect(body.items.map((i) => i.metadata.name)).toContain("apps");
  });

  it("serves the typed apps API", async () => {
    const apps = t.kc.makeApiClient(AppsV1Api);
    const list = await apps.listNamespacedDeployment({ namespace: "default" });
    expect(list.items).toEqual([]);
  });
});
