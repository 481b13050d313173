import type { Db, Tx } from "@/server/db/client";
import { parseConditions } from "@/server/universal/conditions";
import { allowedActions } from "@/server/universal/state-machine";
import type { VClusterView } from "@/server/universal/vcluster-view";

const INCLUDE = {
  project: { select: { name: true } },
  owner: { select: { email: true } },
  hostCluster: { select: { name: true } },
} as const;

export async function loadView(db: Db | Tx, id: string): Promise<VClusterView> {
  const v = await db.vCluster.findUniqueOrThrow({ where: { id }, include: INCLUDE });
  return {
    id: v.id,
    name: v.name,
    namespace: v.namespace,
    projectId: v.projectId,
    projectName: v.project.name,
    ownerEmail: v.owner.email,
    hostClusterName: v.hostCluster?.name ?? null,
    labels: (v.labels ?? {}) as Record<string, string>,
    annotations: (v.annotations ?? {}) as Record<string, string>,
    spec: v.spec,
    phase: v.phase,
    reason: v.reason,
    message: v.message,
    conditions: parseConditions(v.conditions),
    kubernetesVersion: v.kubernetesVersion,
    replicas: v.replicas,
    readyReplicas: v.readyReplicas,
    apiServerEndpoint: v.apiServerEndpoint,
    chartVersion: v.chartVersion,
    lastActivityAt: v.lastActivityAt,
    allowedActions: allowedActions(v.phase),
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}
