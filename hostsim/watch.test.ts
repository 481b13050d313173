import { CoreV1Api, makeInformer, Watch, type KubernetesObject, type V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
let core: CoreV1Api;

beforeAll(async () => {
  t = await startTestSim({ watchHistory: 20, watchBookmarkIntervalMs: 50 });
  core = t.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "w" } } });
});
afterAll(async () => t.close());

interface Seen {
  type: string;
  obj: KubernetesObject & { code?: number; reason?: string };
}

async function watchCollect(
  path: string,
  params: Record<string, string | number | boolean | undefined>,
): Promise<{ seen: Seen[]; stop: () => void; ended: Promise<void> }> {
  const seen: Seen[] = [];
  let resolveEnded: () => void = () => undefined;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  const req = await new Watch(t.kc).watch(
    path,
    params,
    (type, obj: Seen["obj"]) => seen.push({ type, obj }),
    () => resolveEnded(),
  );
  return { seen, stop: () => req.abort(), ended };
}

describe("watch", () => {
  it("streams ADDED, MODIFIED and DELETED from a resourceVersion, filtered by labels", async () => {
    const list = await core.listNamespacedConfigMap({ namespace: "w" });
    const w = await watchCollect("/api/v1/namespaces/w/configmaps", {
      resourceVersion: list.metadata?.resourceVersion,
      labelSelector: "watch=yes",
    });
    await core.createNamespacedConfigMap({ namespace: "w", body: { metadata: { name: "ignored" } } });
    await core.createNamespacedConfigMap({
      namespace: "w",
      body: { metadata: { name: "a", labels: { watch: "yes" } } },
    });
    const cm = await core.readNamespacedConfigMap({ namespace: "w", name: "a" });
    await core.replaceNamespacedConfigMap({ namespace: "w", name: "a", body: { ...cm, data: { x: "1" } } });
    await core.deleteNamespacedConfigMap({ namespace: "w", name: "a" });
    await eventually(() => (w.seen.length >= 3 ? true : undefined), "three events");
    w.stop();
    expect(w.seen.map((e) => `${e.type}:${e.obj.metadata?.name}`)).toEqual(["ADDED:a", "MODIFIED:a", "DELETED:a"]);
  });

  it("replays past events when resuming from an older resourceVersion", async () => {
    const created = await core.createNamespacedConfigMap({ namespace: "w", body: { metadata: { name: "replay" } } });
    await core.patchNamespacedConfigMap({
      namespace: "w",
      name: "replay",
      body: [{ op: "add", path: "/data", value: { a: "b" } }],
    });
    const w = await watchCollect("/api/v1/namespaces/w/configmaps", {
      resourceVersion: created.metadata?.resourceVersion,
      fieldSelector: "metadata.name=replay",
    });
    await eventually(() => (w.seen.length >= 1 ? true : undefined), "replayed event");
    w.stop();
    expect(w.seen[0]).toMatchObject({ type: "MODIFIED", obj: { data: { a: "b" } } });
  });

  it("sends bookmarks when allowed", async () => {
    const list = await core.listNamespacedConfigMap({ namespace: "w" });
    const w = await watchCollect("/api/v1/namespaces/w/configmaps", {
      resourceVersion: list.metadata?.resourceVersion,
      allowWatchBookmarks: true,
    });
    await eventually(() => (w.seen.some((e) => e.type === "BOOKMARK") ? true : undefined), "a bookmark");
    w.stop();
    const bm = w.seen.find((e) => e.type === "BOOKMARK");
    expect(Number(bm?.obj.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(list.metadata?.resourceVersion));
  });

  it("ends the stream after timeoutSeconds", async () => {
    const w = await watchCollect("/api/v1/namespaces/w/configmaps", { timeoutSeconds: 1 });
    await w.ended;
    expect(w.seen.every((e) => e.type === "ADDED")).toBe(true);
  });

  it("answers a too old resourceVersion with an ERROR event carrying 410 Gone", async () => {
    const first = await core.createNamespacedConfigMap({ namespace: "w", body: { metadata: { name: "old" } } });
    for (let i = 0; i < 40; i++)
      await core.createNamespacedConfigMap({ namespace: "w", body: { metadata: { name: `churn-${i}` } } });
    const w = await watchCollect("/api/v1/namespaces/w/configmaps", {
      resourceVersion: first.metadata?.resourceVersion,
    });
    await w.ended;
    expect(w.seen).toEqual([
      { type: "ERROR", obj: expect.objectContaining({ kind: "Status", code: 410, reason: "Expired" }) },
    ]);
  });

  it("feeds an informer that lists then follows changes", async () => {
    const informer = makeInformer<V1ConfigMap>(t.kc, "/api/v1/namespaces/inf/configmaps", () =>
      core.listNamespacedConfigMap({ namespace: "inf" }),
    );
    await core.createNamespace({ body: { metadata: { name: "inf" } } });
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "before" } } });
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on("add", (o) => added.push(o.metadata?.name ?? ""));
    informer.on("delete", (o) => deleted.push(o.metadata?.name ?? ""));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "after" } } });
    await core.deleteNamespacedConfigMap({ namespace: "inf", name: "before" });
    await eventually(
      () => (added.includes("after") && deleted.includes("before") ? true : undefined),
      "informer events",
    );
    await informer.stop();
    expect(added).toEqual(expect.arrayContaining(["before", "after", "kube-root-ca.crt"]));
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(["after", "kube-root-ca.crt"]);
  });
});
