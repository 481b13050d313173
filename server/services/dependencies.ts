import type { ChartSource } from "@/server/adapters/helm/chart-source";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";
import type { GatewaySettings } from "@/server/services/vclusters/kubeconfig";

/**
 * What a request's handlers reach beyond the database, built once per process by the composition root
 * (server/composition/dependencies.ts) and handed to every request in its context, so no router or service builds
 * its own.
 */
export interface PortalDependencies {
  /** the host clusters registered in the database, one adapter each */
  hosts: AdapterProvider;
  /** the snapshot store; NOT_AVAILABLE when S3 is not configured */
  objectStore(): ObjectStore;
  /** the portal-wide vcluster chart */
  chart(): ChartSource;
  /** where downloaded kubeconfigs point and the CA they trust it with */
  gateway(): GatewaySettings;
}
