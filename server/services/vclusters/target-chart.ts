/** The chart a vcluster placed on a host is installed from: the host's pinned chart, else the portal's. */
import { chartForHost, type ChartSource } from "@/server/adapters/helm/chart-source";
import type { Tx } from "@/server/db/client";
import { checkKubernetesVersion } from "@/server/universal/kubernetes-versions";

export async function chartOfHost(tx: Tx, hostClusterId: string, portalChart: ChartSource): Promise<ChartSource> {
  const host = await tx.hostCluster.findUniqueOrThrow({
    where: { id: hostClusterId },
    select: { chartRef: true, chartVersion: true },
  });
  return chartForHost(host, portalChart);
}

/** Refuses, naming spec.kubernetesVersion, a version the chart release on that host does not ship. */
export async function checkVersionOnHost(
  tx: Tx,
  hostClusterId: string,
  kubernetesVersion: string,
  portalChart: ChartSource,
): Promise<ChartSource> {
  const chart = await chartOfHost(tx, hostClusterId, portalChart);
  checkKubernetesVersion(kubernetesVersion, chart.version);
  return chart;
}
