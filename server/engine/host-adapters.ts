import { createVClusterAdapter } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import type { VClusterAdapter } from "@/server/adapters/vcluster/types";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/errors";
import { unseal } from "@/server/security/seal";
import type { AdapterProvider } from "./worker";

export interface AdapterSettings {
  installer?: "manifests" | "helm";
  requestTimeoutMs?: number;
}

/** Adapters per host cluster, rebuilt only when the host's credentials change (health checks touch the row often). */
export function createAdapterProvider(db: Db, credentialsKey: string, settings: AdapterSettings = {}): AdapterProvider {
  const cache = new Map<string, { credentials: string; adapter: VClusterAdapter }>();
  return {
    async forHost(hostClusterId) {
      const host = await db.hostCluster.findUnique({
        where: { id: hostClusterId },
        select: { credentialsEncrypted: true },
      });
      if (!host) throw notFound("host cluster");
      const cached = cache.get(hostClusterId);
      if (cached && cached.credentials === host.credentialsEncrypted) return cached.adapter;
      const adapter = createVClusterAdapter({
        kubeconfig: unseal(host.credentialsEncrypted, credentialsKey),
        installer: settings.installer,
        requestTimeoutMs: settings.requestTimeoutMs,
      });
      cache.set(hostClusterId, { credentials: host.credentialsEncrypted, adapter });
      return adapter;
    },
  };
}
