import { AppsV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestHost, testSpec, testTarget, type TestHost } from "@/server/testing/test-host";
import { createVClusterAdapter } from "./kubernetes-vcluster-adapter";
import { testChart } from "@/server/testing/test-chart";
import type { VClusterAdapter } from "./types";
import { watchControlPlanes, type ControlPlaneEvent, type ControlPlaneWatch } from "./watch-control-planes";

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
let host: TestHost;
let adapter: VClusterAdapter;
let apps: AppsV1Api;
const chart = testChart();

beforeAll(async () => {
  host = await startTestHost({ watchHistory: 20 });
  adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, chart });
  apps = host.kc.makeApiClient(AppsV1Api);
});
afterAll(async () => host.close());

interface Recorder {
  events: ControlPlaneEvent[];
  relists: string[];
  errors: string[];
  watch: ControlPlaneWatch;
}

function record(): Recorder {
  const r: Omit<Recorder, "watch"> = { events: [], relists: [], errors: [] };
  const watch = watchControlPlanes({
    kubeconfig: host.sim.kubeconfig,
    minBackoffMs: 20,
    maxBackoffMs: 200,
    onChange: (e) => r.events.push(e),
    onRelist: (resource, reason) => r.relists.push(`${resource}:${reason}`),
    onError: (err) => r.errors.push(`${err.code} ${err.message}`),
  });
  return { ...r, watch };
}

const scaleBehindTheBack = (namespace: string, name: string, replicas: number) =>
  apps.patchNamespacedStatefulSetScale({ namespace, name, body: { spec: { replicas } } }, merge);

describe("watchControlPlanes", () => {
  it("reports installs and a scale made behind the portal's back, from StatefulSets (persistence) and pods", async () => {
    const rec = record();
    try {
      await eventually(() => (rec.relists.length === 3 ? true : undefined), "initial lists");
      expect(rec.relists.sort()).toEqual(["deployments:initial", "pods:initial", "statefulsets:initial"]);
      const t = testTarget("watched");
      await adapter.install(t, testSpec({ enablePersistence: true }), chart.version);
      await eventually(
        () =>
          rec.events.find(
            (e) =>
              e.resource === "statefulsets" &&
              e.type === "ADDED" &&
              e.name === "watched" &&
              e.namespace === t.namespace,
          ),
        "sts ADDED",
      );
      await eventually(() => rec.events.find((e) => e.resource === "pods" && e.name === "watched"), "pod event");
      const before = rec.events.length;
      await scaleBehindTheBack(t.namespace, t.name, 2);
      await eventually(
        () =>
          rec.events
            .slice(before)
            .find((e) => e.resource === "statefulsets" && e.type === "MODIFIED" && e.name === "watched"),
        "scale seen",
      );
      await eventually(
        () => rec.events.slice(before).find((e) => e.resource === "pods" && e.type === "ADDED" && e.name === "watched"),
        "second pod seen",
      );
      await adapter.uninstall(t);
      await eventually(
        () => rec.events.find((e) => e.resource === "statefulsets" && e.type === "DELETED" && e.name === "watched"),
        "sts DELETED",
      );
    } finally {
      await rec.watch.stop();
    }
  });

  it("survives dropped watches and sees changes made while they were down", async () => {
    const t = testTarget("dropped");
    await adapter.install(t, testSpec({ enablePersistence: true }), chart.version);
    const rec = record();
    try {
      await eventually(
        () => rec.events.find((e) => e.resource === "statefulsets" && e.name === "dropped"),
        "initial event",
      );
      host.sim.setFaults({ dropWatchesAfterMs: 0, errors: [{ verb: "watch", rate: 1, status: 503 }] });
      await eventually(() => (rec.errors.length >= 2 ? true : undefined), "watch failures reported");
      expect(rec.errors.filter((c) => !c.startsWith("UNAVAILABLE"))).toEqual([]);
      const before = rec.events.length;
      // more changes than the host keeps for resuming watches, so resuming gets 410 Gone and must re-list
      for (let i = 0; i < 15; i++) await scaleBehindTheBack(t.namespace, t.name, (i % 3) + 1);
      await scaleBehindTheBack(t.namespace, t.name, 3);
      host.sim.setFaults({});
      await eventually(() => (rec.relists.includes("statefulsets:expired") ? true : undefined), "re-list after 410");
      await eventually(
        () =>
          rec.events
            .slice(before)
            .find((e) => e.resource === "statefulsets" && e.type === "MODIFIED" && e.name === "dropped"),
        "change seen after reconnect",
      );
      const after = rec.events.length;
      await scaleBehindTheBack(t.namespace, t.name, 1);
      await eventually(
        () =>
          rec.events
            .slice(after)
            .find((e) => e.resource === "statefulsets" && e.type === "MODIFIED" && e.name === "dropped"),
        "watching again",
      );
    } finally {
      host.sim.setFaults({});
      await rec.watch.stop();
      await adapter.uninstall(t);
    }
  });

  it("stops delivering after stop()", async () => {
    const rec = record();
    await eventually(() => (rec.relists.length === 3 ? true : undefined), "initial lists");
    await rec.watch.stop();
    const t = testTarget("after-stop");
    await adapter.install(t, testSpec({ enablePersistence: true }), chart.version);
    const fresh = record();
    await eventually(() => fresh.events.find((e) => e.name === "after-stop"), "a new watch sees it");
    await fresh.watch.stop();
    expect(rec.events.filter((e) => e.name === "after-stop")).toEqual([]);
    await adapter.uninstall(t);
  });
});
