import type { ControllerContext } from "./context";
import { startCrds } from "./crds";
import { startDeployments } from "./deployment";
import { startGarbageCollector } from "./gc";
import { startNamespaces } from "./namespaces";
import { startQuotas } from "./quota";
import { ensureNodes, startPods } from "./pods";
import { startReplicaSets } from "./replicaset";
import { startStatefulSets } from "./statefulset";

export type { ControllerContext } from "./context";

export interface NodeShape {
  count: number;
  cpu: string;
  memory: string;
}

/** Seeds a fresh cluster like kubeadm would and runs the controller-manager, scheduler and kubelets. */
export function startControllers(ctx: ControllerContext, nodes: NodeShape): () => void {
  const stopCrds = startCrds(ctx.cluster);
  const namespaces = ctx.cluster.rt("", "namespaces");
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) ctx.cluster.ensure(namespaces, undefined, { metadata: { name } });
  ensureNodes(ctx, nodes.count, nodes.cpu, nodes.memory);
  const stops = [stopCrds, startGarbageCollector(ctx.cluster), startNamespaces(ctx), startPods(ctx), startReplicaSets(ctx), startDeployments(ctx), startStatefulSets(ctx), startQuotas(ctx)];
  return () => {
    for (const s of stops) s();
  };
}
