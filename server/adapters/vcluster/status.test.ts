import type { CoreV1Event, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { deriveHostStatus, versionFromImage } from "./status";

const now = new Date("2026-01-01T00:00:00Z");

function sts(replicas: number, ready: number, annotations: Record<string, string> = {}): V1StatefulSet {
  return {
    metadata: { name: "vc1", namespace: "ns", annotations },
    spec: { replicas, selector: {}, serviceName: "vc1-headless", template: { spec: { containers: [{ name: "syncer", image: "ghcr.io/loft-sh/kubernetes:v1.31.1" }] } } },
    status: { replicas, readyReplicas: ready },
  };
}

function pendingPod(name: string, unschedulable: boolean): V1Pod {
  return {
    metadata: { name, namespace: "ns" },
    status: { phase: "Pending", conditions: unschedulable ? [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu." }] : [] },
  };
}

const event = (reason: string, name: string, at: string, type = "Warning"): CoreV1Event => ({
  metadata: { name: `${name}.${reason}` },
  involvedObject: { kind: "Pod", name },
  reason,
  type,
  message: `${reason} for ${name}`,
  lastTimestamp: new Date(at),
  count: 2,
});

const summary = (s: ReturnType<typeof deriveHostStatus>) => Object.fromEntries(s.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe("deriveHostStatus", () => {
  it("running: all conditions true, version from the image", () => {
    const s = deriveHostStatus({ statefulSet: sts(3, 3), pods: [], events: [], apiServerEndpoint: "https://x", now });
    expect(summary(s)).toEqual({ ControlPlaneAvailable: "True/ReplicasAvailable", Paused: "False/NotPaused", Ready: "True/AllReplicasReady" });
    expect(s).toMatchObject({ installed: true, paused: false, desiredReplicas: 3, readyReplicas: 3, pausedReplicas: null, kubernetesVersion: "v1.31.1", apiServerEndpoint: "https://x" });
    expect(s.conditions.every((c) => c.lastTransitionTime === now.toISOString())).toBe(true);
  });

  it("partly ready: not Ready, but the control plane is available", () => {
    expect(summary(deriveHostStatus({ statefulSet: sts(3, 1), pods: [], events: [], apiServerEndpoint: null, now }))).toEqual({
      ControlPlaneAvailable: "True/ReplicasAvailable",
      Paused: "False/NotPaused",
      Ready: "False/PodsNotReady",
    });
  });

  it("starting: nothing ready yet", () => {
    expect(summary(deriveHostStatus({ statefulSet: sts(1, 0), pods: [pendingPod("vc1-0", false)], events: [], apiServerEndpoint: null, now }))).toEqual({
      ControlPlaneAvailable: "False/PodsNotReady",
      Paused: "False/NotPaused",
      Ready: "False/PodsNotReady",
    });
  });

  it("unschedulable: from the pod's condition or a FailedScheduling event", () => {
    const fromCondition = deriveHostStatus({ statefulSet: sts(1, 0), pods: [pendingPod("vc1-0", true)], events: [], apiServerEndpoint: null, now });
    expect(summary(fromCondition).Ready).toBe("False/Unschedulable");
    expect(fromCondition.conditions.find((c) => c.type === "Ready")?.message).toContain("Insufficient cpu");
    const fromEvent = deriveHostStatus({ statefulSet: sts(1, 0), pods: [pendingPod("vc1-0", false)], events: [event("FailedScheduling", "vc1-0", "2025-12-31T23:59:00Z")], apiServerEndpoint: null, now });
    expect(summary(fromEvent)).toMatchObject({ Ready: "False/Unschedulable", ControlPlaneAvailable: "False/Unschedulable" });
  });

  it("paused: from the loft.sh annotations", () => {
    const s = deriveHostStatus({ statefulSet: sts(0, 0, { "loft.sh/paused": "true", "loft.sh/paused-replicas": "3", "loft.sh/paused-date": "1767225600" }), pods: [], events: [], apiServerEndpoint: null, now });
    expect(summary(s)).toEqual({ ControlPlaneAvailable: "False/Paused", Paused: "True/Paused", Ready: "False/Paused" });
    expect(s).toMatchObject({ paused: true, pausedReplicas: 3, desiredReplicas: 0 });
    expect(s.conditions.find((c) => c.type === "Paused")?.message).toBe("paused since 2026-01-01T00:00:00.000Z; resuming restores 3 replica(s)");
  });

  it("scaled to 0 without pausing is its own state", () => {
    expect(summary(deriveHostStatus({ statefulSet: sts(0, 0), pods: [], events: [], apiServerEndpoint: null, now }))).toMatchObject({ Ready: "False/ScaledToZero", Paused: "False/NotPaused" });
  });

  it("not installed", () => {
    const s = deriveHostStatus({ statefulSet: null, pods: [], events: [], apiServerEndpoint: null, now });
    expect(s.installed).toBe(false);
    expect(new Set(s.conditions.map((c) => c.reason))).toEqual(new Set(["NotInstalled"]));
  });

  it("lists recent events newest first", () => {
    const s = deriveHostStatus({ statefulSet: sts(1, 1), pods: [], events: [event("Pulled", "vc1-0", "2025-12-31T10:00:00Z", "Normal"), event("BackOff", "vc1-0", "2025-12-31T11:00:00Z")], apiServerEndpoint: null, now });
    expect(s.events).toEqual([
      { type: "Warning", reason: "BackOff", message: "BackOff for vc1-0", object: "Pod/vc1-0", lastSeen: "2025-12-31T11:00:00.000Z", count: 2 },
      { type: "Normal", reason: "Pulled", message: "Pulled for vc1-0", object: "Pod/vc1-0", lastSeen: "2025-12-31T10:00:00.000Z", count: 2 },
    ]);
  });

  it("reads versions from image tags", () => {
    expect(versionFromImage("ghcr.io/loft-sh/kubernetes:v1.31.1")).toBe("v1.31.1");
    expect(versionFromImage("registry:5000/kubernetes:1.30.2@sha256:abc")).toBe("v1.30.2");
    expect(versionFromImage("registry:5000/kubernetes")).toBeNull();
    expect(versionFromImage("ghcr.io/loft-sh/vcluster-pro:0.24.1")).toBeNull();
  });
});
