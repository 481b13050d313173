import type { CoreV1Event, V1Deployment, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import type { ControlPlane } from "./control-plane";
import { describe, expect, it } from "vitest";
import { deriveHostStatus, versionFromImage } from "./status";

const now = new Date("2026-01-01T00:00:00Z");

/** The chart's pod template: the syncer runs vcluster-pro, the Kubernetes binaries come from init container `kubernetes`. */
const template = {
  spec: {
    initContainers: [{ name: "kubernetes", image: "ghcr.io/loft-sh/kubernetes:v1.31.1" }],
    containers: [{ name: "syncer", image: "ghcr.io/loft-sh/vcluster-pro:0.36.1" }],
  },
};

function sts(replicas: number, ready: number, annotations: Record<string, string> = {}): ControlPlane {
  const object: V1StatefulSet = {
    metadata: { name: "vc1", namespace: "ns", annotations },
    spec: { replicas, selector: {}, serviceName: "vc1-headless", template },
    status: { replicas, readyReplicas: ready },
  };
  return { kind: "StatefulSet", object };
}

function deployment(replicas: number, ready: number): ControlPlane {
  const object: V1Deployment = {
    metadata: { name: "vc1", namespace: "ns" },
    spec: { replicas, selector: {}, template },
    status: { replicas, readyReplicas: ready },
  };
  return { kind: "Deployment", object };
}

function crashingPod(restarts: number): V1Pod {
  return {
    metadata: { name: "vc1-5d8f-abcde", namespace: "ns" },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [
        {
          name: "syncer",
          image: "ghcr.io/loft-sh/vcluster-pro:0.36.1",
          imageID: "",
          ready: false,
          restartCount: restarts,
          state: {
            waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=syncer" },
          },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: "Error",
              message: "embedded database is not supported with multiple replicas",
            },
          },
        },
      ],
    },
  };
}

function pendingPod(name: string, unschedulable: boolean): V1Pod {
  return {
    metadata: { name, namespace: "ns" },
    status: {
      phase: "Pending",
      conditions: unschedulable
        ? [
            {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              message: "0/3 nodes are available: 3 Insufficient cpu.",
            },
          ]
        : [],
    },
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

const summary = (s: ReturnType<typeof deriveHostStatus>) =>
  Object.fromEntries(s.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe("deriveHostStatus", () => {
  it("running: all conditions true, version from the image", () => {
    const s = deriveHostStatus({ controlPlane: sts(3, 3), pods: [], events: [], apiServerEndpoint: "https://x", now });
    expect(summary(s)).toEqual({
      ControlPlaneAvailable: "True/ReplicasAvailable",
      Paused: "False/NotPaused",
      Ready: "True/AllReplicasReady",
    });
    expect(s).toMatchObject({
      installed: true,
      paused: false,
      desiredReplicas: 3,
      readyReplicas: 3,
      pausedReplicas: null,
      kubernetesVersion: "v1.31.1",
      apiServerEndpoint: "https://x",
    });
    expect(s.conditions.every((c) => c.lastTransitionTime === now.toISOString())).toBe(true);
  });

  it("partly ready: not Ready, but the control plane is available", () => {
    expect(
      summary(deriveHostStatus({ controlPlane: sts(3, 1), pods: [], events: [], apiServerEndpoint: null, now })),
    ).toEqual({
      ControlPlaneAvailable: "True/ReplicasAvailable",
      Paused: "False/NotPaused",
      Ready: "False/PodsNotReady",
    });
  });

  it("starting: nothing ready yet", () => {
    expect(
      summary(
        deriveHostStatus({
          controlPlane: sts(1, 0),
          pods: [pendingPod("vc1-0", false)],
          events: [],
          apiServerEndpoint: null,
          now,
        }),
      ),
    ).toEqual({
      ControlPlaneAvailable: "False/PodsNotReady",
      Paused: "False/NotPaused",
      Ready: "False/PodsNotReady",
    });
  });

  it("unschedulable: from the pod's condition or a FailedScheduling event", () => {
    const fromCondition = deriveHostStatus({
      controlPlane: sts(1, 0),
      pods: [pendingPod("vc1-0", true)],
      events: [],
      apiServerEndpoint: null,
      now,
    });
    expect(summary(fromCondition).Ready).toBe("False/Unschedulable");
    expect(fromCondition.conditions.find((c) => c.type === "Ready")?.message).toContain("Insufficient cpu");
    const fromEvent = deriveHostStatus({
      controlPlane: sts(1, 0),
      pods: [pendingPod("vc1-0", false)],
      events: [event("FailedScheduling", "vc1-0", "2025-12-31T23:59:00Z")],
      apiServerEndpoint: null,
      now,
    });
    expect(summary(fromEvent)).toMatchObject({
      Ready: "False/Unschedulable",
      ControlPlaneAvailable: "False/Unschedulable",
    });
  });

  it("paused: from the loft.sh annotations", () => {
    const s = deriveHostStatus({
      controlPlane: sts(0, 0, {
        "loft.sh/paused": "true",
        "loft.sh/paused-replicas": "3",
        "loft.sh/paused-date": "2026-01-01T00:00:00.000Z",
      }),
      pods: [],
      events: [],
      apiServerEndpoint: null,
      now,
    });
    expect(summary(s)).toEqual({ ControlPlaneAvailable: "False/Paused", Paused: "True/Paused", Ready: "False/Paused" });
    expect(s).toMatchObject({ paused: true, pausedReplicas: 3, desiredReplicas: 0 });
    expect(s.conditions.find((c) => c.type === "Paused")?.message).toBe(
      "paused since 2026-01-01T00:00:00.000Z; resuming restores 3 replica(s)",
    );
  });

  it("a Deployment control plane (the chart's default) reads like a StatefulSet one", () => {
    const s = deriveHostStatus({ controlPlane: deployment(1, 1), pods: [], events: [], apiServerEndpoint: null, now });
    expect(s).toMatchObject({
      installed: true,
      controlPlaneKind: "Deployment",
      readyReplicas: 1,
      kubernetesVersion: "v1.31.1",
      failure: null,
    });
  });

  it("restoring (loft.sh/restoring) counts as paused, as lifecycle.IsPaused says", () => {
    expect(
      deriveHostStatus({
        controlPlane: sts(0, 0, { "loft.sh/restoring": "true", "loft.sh/paused-replicas": "1" }),
        pods: [],
        events: [],
        apiServerEndpoint: null,
        now,
      }).paused,
    ).toBe(true);
  });

  it("a crash-looping syncer: its message as the condition, final after a few restarts", () => {
    const early = deriveHostStatus({
      controlPlane: deployment(3, 0),
      pods: [crashingPod(1)],
      events: [],
      apiServerEndpoint: null,
      now,
    });
    expect(summary(early).Ready).toBe("False/Restarting");
    expect(early.failure).toBeNull();
    const late = deriveHostStatus({
      controlPlane: deployment(3, 0),
      pods: [crashingPod(3)],
      events: [],
      apiServerEndpoint: null,
      now,
    });
    expect(summary(late).Ready).toBe("False/CrashLoopBackOff");
    expect(late.failure).toContain("embedded database is not supported with multiple replicas");
  });

  it("a pod that cannot mount its config Secret", () => {
    const mount = {
      ...event("FailedMount", "vc1-0", "2025-12-31T23:59:00Z"),
      message: 'MountVolume.SetUp failed for volume "vcluster-config" : secret "vc-config-vc1" not found',
    };
    const s = deriveHostStatus({
      controlPlane: sts(1, 0),
      pods: [pendingPod("vc1-0", false)],
      events: [mount],
      apiServerEndpoint: null,
      now,
    });
    expect(summary(s).Ready).toBe("False/StartFailed");
    expect(s.conditions.find((c) => c.type === "Ready")?.message).toContain('secret "vc-config-vc1" not found');
  });

  it("scaled to 0 without pausing is its own state", () => {
    expect(
      summary(deriveHostStatus({ controlPlane: sts(0, 0), pods: [], events: [], apiServerEndpoint: null, now })),
    ).toMatchObject({ Ready: "False/ScaledToZero", Paused: "False/NotPaused" });
  });

  it("not installed", () => {
    const s = deriveHostStatus({ controlPlane: null, pods: [], events: [], apiServerEndpoint: null, now });
    expect(s.installed).toBe(false);
    expect(new Set(s.conditions.map((c) => c.reason))).toEqual(new Set(["NotInstalled"]));
  });

  it("lists recent events newest first", () => {
    const s = deriveHostStatus({
      controlPlane: sts(1, 1),
      pods: [],
      events: [
        event("Pulled", "vc1-0", "2025-12-31T10:00:00Z", "Normal"),
        event("BackOff", "vc1-0", "2025-12-31T11:00:00Z"),
      ],
      apiServerEndpoint: null,
      now,
    });
    expect(s.events).toEqual([
      {
        type: "Warning",
        reason: "BackOff",
        message: "BackOff for vc1-0",
        object: "Pod/vc1-0",
        lastSeen: "2025-12-31T11:00:00.000Z",
        count: 2,
      },
      {
        type: "Normal",
        reason: "Pulled",
        message: "Pulled for vc1-0",
        object: "Pod/vc1-0",
        lastSeen: "2025-12-31T10:00:00.000Z",
        count: 2,
      },
    ]);
  });

  it("reads versions from image tags", () => {
    expect(versionFromImage("ghcr.io/loft-sh/kubernetes:v1.31.1")).toBe("v1.31.1");
    expect(versionFromImage("registry:5000/kubernetes:1.30.2@sha256:abc")).toBe("v1.30.2");
    expect(versionFromImage("registry:5000/kubernetes")).toBeNull();
    expect(versionFromImage("ghcr.io/loft-sh/vcluster-pro:0.24.1")).toBeNull();
    expect(
      deriveHostStatus({ controlPlane: sts(1, 1), pods: [], events: [], apiServerEndpoint: null, now })
        .kubernetesVersion,
    ).toBe("v1.31.1");
  });
});
