import type { HostEvent } from "@/server/adapters/vcluster/types";
import { targetOf } from "@/server/engine/placement/host-spec";
import { AppError } from "@/server/universal/errors";
import type { OperationKind, OperationState } from "@/server/generated/prisma/client";
import { vclusterFor } from "./access";
import { hasDirectAccess } from "./direct-kubeconfig";
import { loadView } from "./view";
import type { VClusterView } from "@/server/universal/vcluster-view";
import type { ServiceContext } from "@/server/services/service-context";

export interface OperationView {
  id: string;
  kind: OperationKind;
  state: OperationState;
  step: string | null;
  progress: number;
  attempts: number;
  lastError: string | null;
  requestedBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface VClusterDetail extends VClusterView {
  operations: OperationView[];
  events: HostEvent[];
  /** why events could not be read; the rest of the detail is still served */
  hostError: string | null;
  /** the chart version its host pins now; newer than chartVersion means `upgradeChart` can move it there */
  pinnedChartVersion: string | null;
  /** the caller may download the vcluster's own admin kubeconfig (OWNER, and direct access through an ingress) */
  directKubeconfigOffered: boolean;
}

export async function getVCluster({ db, actor, deps }: ServiceContext, id: string): Promise<VClusterDetail> {
  const adapters = deps.hosts;
  const { vcluster, role } = await vclusterFor(db, actor, id, "VIEWER");
  const [view, operations] = await Promise.all([
    loadView(db, id),
    db.operation.findMany({
      where: { vclusterId: id },
      orderBy: { createdAt: "desc" },
      take: 20,
      include: { requestedBy: { select: { email: true } } },
    }),
  ]);
  let events: HostEvent[] = [];
  let hostError: string | null = null;
  let pinnedChartVersion: string | null = null;
  let directKubeconfigOffered = false;
  if (vcluster.hostClusterId) {
    const host = await db.hostCluster.findUnique({
      where: { id: vcluster.hostClusterId },
      select: { directAccessHostPattern: true },
    });
    directKubeconfigOffered = role === "OWNER" && hasDirectAccess(vcluster, host);
    try {
      const adapter = await adapters.forHost(vcluster.hostClusterId);
      pinnedChartVersion = adapter.chart.version;
      events = (await adapter.status(targetOf(vcluster))).events;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      hostError = error.message;
    }
  }
  return {
    ...view,
    operations: operations.map((o) => ({
      id: o.id,
      kind: o.kind,
      state: o.state,
      step: o.step,
      progress: o.progress,
      attempts: o.attempts,
      lastError: o.lastError,
      requestedBy: o.requestedBy?.email ?? null,
      createdAt: o.createdAt,
      startedAt: o.startedAt,
      finishedAt: o.finishedAt,
    })),
    events,
    hostError,
    pinnedChartVersion,
    directKubeconfigOffered,
  };
}
