/**
 * The dry run of a create: the values file helm would install, the chart it comes from and the host the scheduler
 * would pick now, after the checks create runs (name, host networks, quota, placement, the chart's Kubernetes
 * versions). Nothing is kept: the quota check may record threshold notifications, so it runs in a transaction that is
 * always rolled back, and placement is chosen without reserving anything. Not audited: it changes nothing.
 */
import type { ChartSource } from "@/server/adapters/helm/chart-source";
import { placementSelector } from "@/server/engine/lifecycle/record-vcluster";
import { renderValues } from "@/server/adapters/vcluster/values";
import type { Db, Tx } from "@/server/db/client";
import { hostSpecOf } from "@/server/engine/placement/host-spec";
import { loadCandidates } from "@/server/engine/lifecycle/record-vcluster";
import { chooseHost } from "@/server/engine/placement/scheduler";
import { AppError } from "@/server/universal/errors";
import { checkKubernetesVersion } from "@/server/universal/kubernetes-versions";
import { checkQuota } from "../quota";
import { checkHostNetworks, type CreateVClusterRequest } from "./create-vcluster";
import { claimOf } from "@/server/universal/claims";
import { columnsOfSpec } from "./spec-columns";
import { checkVersionOnHost } from "./target-chart";
import type { ServiceContext } from "@/server/services/service-context";

export interface DryRun {
  values: string;
  chart: ChartSource;
  /** where the scheduler would place it now; null while no host cluster is registered (then the portal's chart) */
  hostCluster: { id: string; name: string } | null;
}

/** Carries the result out of a transaction that must not commit. */
class RolledBack<T> extends Error {
  constructor(readonly value: T) {
    super("dry run: rolled back on purpose");
  }
}

async function withoutCommitting<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.$transaction(async (tx) => {
      throw new RolledBack(await fn(tx));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
}

export function dryRunVCluster({ db, deps }: ServiceContext, request: CreateVClusterRequest): Promise<DryRun> {
  const portalChart = deps.chart();
  const columns = columnsOfSpec(request.spec);
  return withoutCommitting(db, async (tx) => {
    const existing = await tx.vCluster.findUnique({
      where: { projectId_name: { projectId: request.projectId, name: request.name } },
      select: { id: true },
    });
    if (existing) {
      throw new AppError("CONFLICT", `name: a vcluster named ${request.name} already exists in this project`, {
        issues: [{ field: "name", message: "already exists in this project" }],
      });
    }
    await checkHostNetworks(tx, request);
    await checkQuota(tx, request.projectId, claimOf(columns));
    const project = await tx.project.findUniqueOrThrow({
      where: { id: request.projectId },
      select: { hostSelector: true },
    });
    const hosts = await loadCandidates(tx, { lock: false });
    let hostCluster: DryRun["hostCluster"] = null;
    let chart = portalChart;
    if (hosts.length > 0) {
      const placement = chooseHost(hosts, {
        cpuMillis: columns.cpuRequestMillis * columns.replicas,
        memoryBytes: columns.memoryRequestBytes * BigInt(columns.replicas),
        selector: placementSelector((project.hostSelector ?? {}) as Record<string, string>, request.hostSelector),
      });
      if (!placement.ok) throw new AppError("PRECONDITION_FAILED", placement.reason);
      hostCluster = { id: placement.host.id, name: placement.host.name };
      chart = await checkVersionOnHost(tx, placement.host.id, request.spec.kubernetesVersion, portalChart);
    } else {
      checkKubernetesVersion(request.spec.kubernetesVersion, chart.version);
    }
    const values = renderValues(hostSpecOf({ ...columns, labels: request.labels }), { chartVersion: chart.version });
    return { values, chart, hostCluster };
  });
}
