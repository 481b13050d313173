import { ensureBootstrapPolicy } from "../bootstrappolicy";
import { startClusterRoleAggregation } from "./clusterroleaggregation";
import type { ControllerContext } from "./context";
import { startCrds } from "./crds";
import { startDeployments } from "./deployment";
import { startEndpoints } from "./endpoints";
import { startEventExpiry } from "./events";
import { startGarbageCollector } from "./gc";
import { startNamespaces } from "./namespaces";
import { startQuotas } from "./quota";
import { ensureNodes, startPods } from "./pods";
import { startPodSync, type SyncTarget } from "./podsync";
import { startReplicaSets } from "./replicaset";
import { startStatefulSets } from "./statefulset";

export type { ControllerContext } from "./context";
export type { SyncTarget } from "./podsync";

export interface NodeShape {
  count: number;
  cpu: string;
  memory: string;
}

/**
 * Seeds a fresh cluster like kubeadm and the apiserver's RBAC bootstrap policy would and runs the
 * controller-manager; pods run either on simulated nodes (scheduler and kubelets) or, for a virtual cluster, on
 * its host through the pod syncer.
 */
export function startControllers(
  ctx: ControllerContext,
  pods: { nodes: NodeShape } | { sync: SyncTarget },
): () => void {
  const stopCrds = startCrds(ctx.cluster);
  ensureBootstrapPolicy(ctx.cluster);
  const namespaces = ctx.cluster.rt("", "namespaces");
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"])
    ctx.cluster.ensure(namespaces, undefined, { metadata: { name } });
  ctx.cluster.ensure(ctx.cluster.rt("", "services"), "default", {
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }] },
  });
  let runPods: () => void;
  if ("nodes" in pods) {
    ensureNodes(ctx, pods.nodes.count, pods.nodes.cpu, pods.nodes.memory);
    runPods = startPods(ctx);
  } else runPods = startPodSync(ctx, pods.sync);
  const stops = [
    stopCrds,
    startGarbageCollector(ctx.cluster),
    startNamespaces(ctx),
    runPods,
    startReplicaSets(ctx),
    startDeployments(ctx),
    startStatefulSets(ctx),
    startQuotas(ctx),
    startEndpoints(ctx),
    startEventExpiry(ctx, 3_600_000),
    startClusterRoleAggregation(ctx.cluster),
  ];
  return () => {
    for (const s of stops) s();
  };
}
