import { chartForHost, type ChartSource } from "@/server/adapters/helm/chart-source";
import { createVClusterAdapter } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import { POD_SECURITY_LEVELS, type PodSecurityLevel } from "@/server/adapters/vcluster/namespace";
import type { AdapterProvider, VClusterAdapter } from "@/server/adapters/vcluster/types";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/universal/errors";
import { unseal } from "@/server/security/seal";

export interface AdapterSettings {
  /** the portal-wide chart (VCLUSTER_CHART, VCLUSTER_CHART_VERSION); a host may set its own */
  chart: ChartSource;
  requestTimeoutMs?: number;
}

/** Adapters per host cluster, rebuilt only when the host's credentials, chart or direct access change (health checks touch the row often). */
/** A stored level the portal no longer knows is read as the strictest, never as none. */
const podSecurityLevelOf = (stored: string): PodSecurityLevel =>
  POD_SECURITY_LEVELS.find((l) => l === stored) ?? "restricted";

export function createAdapterProvider(db: Db, credentialsKey: string, settings: AdapterSettings): AdapterProvider {
  const cache = new Map<string, { key: string; adapter: VClusterAdapter }>();
  return {
    async forHost(hostClusterId) {
      const host = await db.hostCluster.findUnique({
        where: { id: hostClusterId },
        select: {
          credentialsEncrypted: true,
          chartRef: true,
          chartVersion: true,
          directAccessHostPattern: true,
          directAccessIngressClass: true,
          podSecurityLevel: true,
        },
      });
      if (!host) throw notFound("host cluster");
      const key = JSON.stringify([
        host.credentialsEncrypted,
        host.chartRef,
        host.chartVersion,
        host.directAccessHostPattern,
        host.directAccessIngressClass,
        host.podSecurityLevel,
      ]);
      const cached = cache.get(hostClusterId);
      if (cached && cached.key === key) return cached.adapter;
      const adapter = createVClusterAdapter({
        kubeconfig: unseal(host.credentialsEncrypted, credentialsKey),
        chart: chartForHost(host, settings.chart),
        requestTimeoutMs: settings.requestTimeoutMs,
        directAccess: host.directAccessHostPattern
          ? { hostPattern: host.directAccessHostPattern, ingressClassName: host.directAccessIngressClass }
          : null,
        podSecurity: podSecurityLevelOf(host.podSecurityLevel),
      });
      cache.set(hostClusterId, { key, adapter });
      return adapter;
    },
  };
}
