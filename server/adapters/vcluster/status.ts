/**
 * Derives a vcluster's HostStatus from what the host shows: its control plane (StatefulSet or Deployment), the
 * control plane pods and recent events. Pure, so every state's conditions can be checked without a cluster.
 */
import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import type { Condition } from "@/server/universal/conditions";
import { isPaused, type ControlPlane } from "./control-plane";
import { PAUSED_DATE_ANNOTATION, PAUSED_REPLICAS_ANNOTATION } from "./labels";
import type { HostEvent, HostStatus } from "./types";

const MAX_EVENTS = 20;

/** The Kubernetes version in an image tag such as `ghcr.io/loft-sh/kubernetes:v1.31.1`. */
export function versionFromImage(image: string): string | null {
  const ref = image.split("@")[0];
  const colon = ref.lastIndexOf(":");
  if (colon < 0 || ref.slice(colon).includes("/")) return null;
  const m = /^v?(1\.\d+(?:\.\d+)?)(?:[-+][\w.+-]*)?$/.exec(ref.slice(colon + 1));
  return m ? `v${m[1]}` : null;
}

/** The image tag of the init container `kubernetes`, where the chart puts the Kubernetes binaries (_init-containers.tpl). */
function controlPlaneVersion(plane: ControlPlane): string | null {
  const spec = plane.object.spec?.template.spec;
  const init = spec?.initContainers?.find((c) => c.name === "kubernetes");
  return init?.image ? versionFromImage(init.image) : null;
}

/** How many times the syncer may crash before the failure is taken as final rather than a slow start. */
export const CRASHES_BEFORE_FAILURE = 3;

/** A control plane container that keeps crashing, with the syncer's own last words (CrashLoopBackOff). */
function crashFailure(pods: V1Pod[]): { message: string; final: boolean } | null {
  for (const pod of pods) {
    for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const waiting = c.state?.waiting;
      const terminated = c.lastState?.terminated ?? c.state?.terminated;
      if (waiting?.reason !== "CrashLoopBackOff" && !(terminated && terminated.exitCode !== 0)) continue;
      const why = terminated?.message?.trim() || waiting?.message || "the container exits";
      return {
        message: `container ${c.name} of pod ${pod.metadata?.name ?? ""} is crash-looping (${c.restartCount} restarts): ${why}`,
        final: c.restartCount >= CRASHES_BEFORE_FAILURE,
      };
    }
  }
  return null;
}

/** A pod the kubelet or the controller could not even start: a volume it cannot mount, a pod the API refused. */
function startFailure(events: CoreV1Event[]): string | null {
  const event = events.find((e) => e.type === "Warning" && (e.reason === "FailedMount" || e.reason === "FailedCreate"));
  return event ? `${event.reason}: ${event.message ?? ""}` : null;
}

function eventTime(e: CoreV1Event): Date | undefined {
  return (
    e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp
  );
}

export function toHostEvents(events: CoreV1Event[]): HostEvent[] {
  return [...events]
    .sort((a, b) => (eventTime(b)?.getTime() ?? 0) - (eventTime(a)?.getTime() ?? 0))
    .slice(0, MAX_EVENTS)
    .map((e) => ({
      type: e.type === "Warning" ? "Warning" : "Normal",
      reason: e.reason ?? "",
      message: e.message ?? "",
      object: `${e.involvedObject.kind ?? ""}/${e.involvedObject.name ?? ""}`,
      lastSeen: (eventTime(e) ?? new Date(0)).toISOString(),
      count: e.series?.count ?? e.count ?? 1,
    }));
}

/** A pending pod's scheduling failure, from its PodScheduled condition or a FailedScheduling event about it. */
function schedulingFailure(pods: V1Pod[], events: CoreV1Event[]): string | null {
  for (const pod of pods) {
    if (pod.status?.phase !== "Pending" || pod.metadata?.deletionTimestamp) continue;
    const scheduled = pod.status.conditions?.find((c) => c.type === "PodScheduled");
    if (scheduled?.status === "False" && scheduled.reason === "Unschedulable")
      return scheduled.message ?? "no node can run the control plane";
    if (pod.spec?.nodeName) continue;
    const event = events.find(
      (e) =>
        e.reason === "FailedScheduling" &&
        e.involvedObject.kind === "Pod" &&
        e.involvedObject.name === pod.metadata?.name,
    );
    if (event) return event.message ?? "no node can run the control plane";
  }
  return null;
}

function isReady(pod: V1Pod): boolean {
  return (
    !pod.metadata?.deletionTimestamp &&
    (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

type Cond = Omit<Condition, "lastTransitionTime">;

export interface ObservedVCluster {
  controlPlane: ControlPlane | null;
  pods: V1Pod[];
  events: CoreV1Event[];
  apiServerEndpoint: string | null;
  now?: Date;
}

export function deriveHostStatus(observed: ObservedVCluster): HostStatus {
  const now = (observed.now ?? new Date()).toISOString();
  const events = toHostEvents(observed.events);
  const withTime = (conds: Cond[]): Condition[] =>
    conds.map((c) => ({ ...c, lastTransitionTime: now })).sort((a, b) => a.type.localeCompare(b.type));
  const plane = observed.controlPlane;
  if (!plane) {
    const missing = "the control plane (a StatefulSet or Deployment labelled app=vcluster) does not exist on the host";
    return {
      installed: false,
      controlPlaneKind: null,
      failure: null,
      paused: false,
      desiredReplicas: 0,
      readyReplicas: 0,
      pausedReplicas: null,
      kubernetesVersion: null,
      apiServerEndpoint: observed.apiServerEndpoint,
      conditions: withTime([
        { type: "Ready", status: "False", reason: "NotInstalled", message: missing },
        { type: "ControlPlaneAvailable", status: "False", reason: "NotInstalled", message: missing },
        { type: "Paused", status: "False", reason: "NotInstalled", message: missing },
      ]),
      events,
    };
  }
  const sts = plane.object;
  const annotations = sts.metadata?.annotations ?? {};
  const paused = isPaused(sts);
  const pausedReplicasValue = Number.parseInt(annotations[PAUSED_REPLICAS_ANNOTATION] ?? "", 10);
  const pausedReplicas = paused ? (Number.isFinite(pausedReplicasValue) ? pausedReplicasValue : 1) : null;
  const desired = sts.spec?.replicas ?? 1;
  const readyPods = observed.pods.filter(isReady).length;
  const ready = Math.min(Math.max(sts.status?.readyReplicas ?? 0, readyPods), desired);
  const conditions: Cond[] = [];
  if (paused) {
    const since = Date.parse(annotations[PAUSED_DATE_ANNOTATION] ?? "");
    const when = Number.isFinite(since) ? ` since ${new Date(since).toISOString()}` : "";
    const message = `paused${when}; resuming restores ${pausedReplicas} replica(s)`;
    conditions.push(
      { type: "Paused", status: "True", reason: "Paused", message },
      { type: "Ready", status: "False", reason: "Paused", message },
      { type: "ControlPlaneAvailable", status: "False", reason: "Paused", message },
    );
  } else {
    conditions.push({
      type: "Paused",
      status: "False",
      reason: "NotPaused",
      message: "the control plane is not paused",
    });
    const unschedulable = ready === 0 ? schedulingFailure(observed.pods, observed.events) : null;
    const crash = ready < desired ? crashFailure(observed.pods) : null;
    const notStarted = ready === 0 && !crash ? startFailure(observed.events) : null;
    if (desired === 0) {
      const message = `the control plane ${plane.kind} is scaled to 0 without the loft.sh/paused annotations`;
      conditions.push(
        { type: "Ready", status: "False", reason: "ScaledToZero", message },
        { type: "ControlPlaneAvailable", status: "False", reason: "ScaledToZero", message },
      );
    } else if (ready >= desired) {
      conditions.push(
        {
          type: "Ready",
          status: "True",
          reason: "AllReplicasReady",
          message: `${ready}/${desired} control plane replicas ready`,
        },
        {
          type: "ControlPlaneAvailable",
          status: "True",
          reason: "ReplicasAvailable",
          message: `${ready} control plane replica(s) serving`,
        },
      );
    } else if (crash) {
      const reason = crash.final ? "CrashLoopBackOff" : "Restarting";
      conditions.push(
        { type: "Ready", status: "False", reason, message: crash.message },
        { type: "ControlPlaneAvailable", status: ready > 0 ? "True" : "False", reason, message: crash.message },
      );
    } else if (notStarted) {
      conditions.push(
        { type: "Ready", status: "False", reason: "StartFailed", message: notStarted },
        { type: "ControlPlaneAvailable", status: "False", reason: "StartFailed", message: notStarted },
      );
    } else if (unschedulable) {
      const message = `control plane pods cannot be scheduled: ${unschedulable}`;
      conditions.push(
        { type: "Ready", status: "False", reason: "Unschedulable", message },
        { type: "ControlPlaneAvailable", status: "False", reason: "Unschedulable", message },
      );
    } else {
      const message = `${ready}/${desired} control plane replicas ready`;
      conditions.push(
        { type: "Ready", status: "False", reason: "PodsNotReady", message },
        ready > 0
          ? {
              type: "ControlPlaneAvailable",
              status: "True",
              reason: "ReplicasAvailable",
              message: `${ready} control plane replica(s) serving`,
            }
          : {
              type: "ControlPlaneAvailable",
              status: "False",
              reason: "PodsNotReady",
              message: "no control plane replica is ready yet",
            },
      );
    }
  }
  const crashed = !paused && desired > 0 && ready < desired ? crashFailure(observed.pods) : null;
  return {
    installed: true,
    controlPlaneKind: plane.kind,
    failure: crashed?.final ? crashed.message : null,
    paused,
    desiredReplicas: desired,
    readyReplicas: ready,
    pausedReplicas,
    kubernetesVersion: controlPlaneVersion(plane),
    apiServerEndpoint: observed.apiServerEndpoint,
    conditions: withTime(conditions),
    events,
  };
}
