/**
 * Finding and pausing a vcluster's control plane exactly as the vcluster CLI does (loft-sh/vcluster
 * pkg/lifecycle/lifecycle.go, pkg/cli/find/find.go at v0.36.1): the workload labelled app=vcluster,release=NAME is a
 * StatefulSet (persistence, embedded etcd) or a Deployment (the chart's default); a Deployment's deployed etcd
 * (app=vcluster-etcd,release=NAME) is paused and resumed with it.
 */
import type { V1Deployment, V1StatefulSet } from "@kubernetes/client-node";
import { mergePatch, type HostClients } from "@/server/adapters/kubernetes/host-client";
import {
  controlPlaneSelector,
  PAUSED_ANNOTATION,
  PAUSED_DATE_ANNOTATION,
  PAUSED_REPLICAS_ANNOTATION,
  RESTORING_ANNOTATION,
} from "./labels";
import type { VClusterTarget } from "./types";

export type ControlPlane =
  { kind: "StatefulSet"; object: V1StatefulSet } | { kind: "Deployment"; object: V1Deployment };
export type Workload = ControlPlane["object"];

export const etcdSelector = (name: string) => `app=vcluster-etcd,release=${name}`;

/** Go's time layout "2006-01-02T15:04:05.000Z" as vcluster writes loft.sh/paused-date (UTC, milliseconds). */
export function pausedDate(now: Date): string {
  return now.toISOString();
}

/** `loft.sh/paused` or, during a restore, `loft.sh/restoring` (lifecycle.IsPaused). */
export function isPaused(object: { metadata?: { annotations?: Record<string, string> } }): boolean {
  const a = object.metadata?.annotations ?? {};
  return a[PAUSED_ANNOTATION] === "true" || a[RESTORING_ANNOTATION] === "true";
}

export async function findControlPlane(clients: HostClients, target: VClusterTarget): Promise<ControlPlane | null> {
  const labelSelector = controlPlaneSelector(target.name);
  const statefulSets = await clients.idempotent(`StatefulSets ${labelSelector} in ${target.namespace}`, () =>
    clients.apps.listNamespacedStatefulSet({ namespace: target.namespace, labelSelector }),
  );
  const sts = statefulSets.items.find((s) => !s.metadata?.deletionTimestamp);
  if (sts) return { kind: "StatefulSet", object: sts };
  const deployments = await clients.idempotent(`Deployments ${labelSelector} in ${target.namespace}`, () =>
    clients.apps.listNamespacedDeployment({ namespace: target.namespace, labelSelector }),
  );
  const deployment = deployments.items.find((d) => !d.metadata?.deletionTimestamp);
  return deployment ? { kind: "Deployment", object: deployment } : null;
}

export function patchWorkload(
  clients: HostClients,
  namespace: string,
  kind: ControlPlane["kind"],
  name: string,
  body: object,
): Promise<Workload> {
  const what = `${kind} ${namespace}/${name}`;
  return kind === "StatefulSet"
    ? clients.idempotent(what, () => clients.apps.patchNamespacedStatefulSet({ namespace, name, body }, mergePatch))
    : clients.idempotent(what, () => clients.apps.patchNamespacedDeployment({ namespace, name, body }, mergePatch));
}

/** prepareScaleDown: annotations first and replicas 0 in one merge patch; an already scaled-down one keeps `fallback`. */
function pauseBody(object: Workload, fallbackReplicas: number, now: Date): object {
  const replicas = object.spec?.replicas ?? 1;
  return {
    metadata: {
      annotations: {
        [PAUSED_ANNOTATION]: "true",
        [PAUSED_REPLICAS_ANNOTATION]: String(replicas === 0 ? fallbackReplicas : replicas),
        [PAUSED_DATE_ANNOTATION]: pausedDate(now),
      },
    },
    spec: { replicas: 0 },
  };
}

function resumeBody(object: Workload): object {
  const saved = Number.parseInt(object.metadata?.annotations?.[PAUSED_REPLICAS_ANNOTATION] ?? "", 10);
  return {
    metadata: {
      annotations: {
        [PAUSED_ANNOTATION]: null,
        [RESTORING_ANNOTATION]: null,
        [PAUSED_REPLICAS_ANNOTATION]: null,
        [PAUSED_DATE_ANNOTATION]: null,
      },
    },
    spec: { replicas: Number.isFinite(saved) ? saved : 1 },
  };
}

async function etcdStatefulSets(clients: HostClients, target: VClusterTarget): Promise<V1StatefulSet[]> {
  const labelSelector = etcdSelector(target.name);
  const list = await clients.idempotent(`StatefulSets ${labelSelector} in ${target.namespace}`, () =>
    clients.apps.listNamespacedStatefulSet({ namespace: target.namespace, labelSelector }),
  );
  return list.items;
}

/** PauseVCluster: the control plane, then (Deployment kind only) its deployed etcd. Already paused: nothing to do. */
export async function pauseControlPlane(
  clients: HostClients,
  target: VClusterTarget,
  plane: ControlPlane,
  configuredReplicas: number,
  now = new Date(),
): Promise<void> {
  if (!isPaused(plane.object))
    await patchWorkload(
      clients,
      target.namespace,
      plane.kind,
      plane.object.metadata?.name ?? target.name,
      pauseBody(plane.object, configuredReplicas, now),
    );
  if (plane.kind !== "Deployment") return;
  for (const etcd of await etcdStatefulSets(clients, target)) {
    if (!isPaused(etcd))
      await patchWorkload(clients, target.namespace, "StatefulSet", etcd.metadata?.name ?? "", pauseBody(etcd, 1, now));
  }
}

/** ResumeVCluster: back to loft.sh/paused-replicas with the annotations removed, etcd too for the Deployment kind. */
export async function resumeControlPlane(
  clients: HostClients,
  target: VClusterTarget,
  plane: ControlPlane,
): Promise<void> {
  if (isPaused(plane.object))
    await patchWorkload(
      clients,
      target.namespace,
      plane.kind,
      plane.object.metadata?.name ?? target.name,
      resumeBody(plane.object),
    );
  if (plane.kind !== "Deployment") return;
  for (const etcd of await etcdStatefulSets(clients, target)) {
    if (isPaused(etcd))
      await patchWorkload(clients, target.namespace, "StatefulSet", etcd.metadata?.name ?? "", resumeBody(etcd));
  }
}
