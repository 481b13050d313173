import { chartFromEnv, type ChartSource } from "@/server/adapters/helm/chart-source";

/**
 * The portal-wide chart (VCLUSTER_CHART, VCLUSTER_CHART_VERSION). Read on its own, checked by chartFromEnv, so that
 * procedures which only need the chart do not also need the portal's secrets.
 */
export function portalChart(): ChartSource {
  return chartFromEnv({ VCLUSTER_CHART: process.env.VCLUSTER_CHART || undefined, VCLUSTER_CHART_VERSION: process.env.VCLUSTER_CHART_VERSION || undefined });
}
