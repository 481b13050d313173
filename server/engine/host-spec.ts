import type { HostSpec, VClusterTarget } from "@/server/adapters/vcluster/types";
import type { VCluster } from "@/server/generated/prisma/client";

export function targetOf(vcluster: Pick<VCluster, "id" | "projectId" | "name" | "namespace">): VClusterTarget {
  return { vclusterId: vcluster.id, projectId: vcluster.projectId, name: vcluster.name, namespace: vcluster.namespace };
}

export function hostSpecOf(vcluster: VCluster): HostSpec {
  return {
    kubernetesVersion: vcluster.kubernetesVersion,
    distro: vcluster.distro,
    replicas: vcluster.replicas,
    cpuRequestMillis: vcluster.cpuRequestMillis,
    cpuLimitMillis: vcluster.cpuLimitMillis,
    memoryRequestBytes: vcluster.memoryRequestBytes,
    memoryLimitBytes: vcluster.memoryLimitBytes,
    enablePersistence: vcluster.enablePersistence,
    persistenceSizeBytes: vcluster.persistenceSizeBytes,
    defaultStorageClass: vcluster.defaultStorageClass,
    podCidr: vcluster.podCidr,
    serviceCidr: vcluster.serviceCidr,
    enableNetworkPolicies: vcluster.enableNetworkPolicies,
    helmValues: vcluster.helmValues,
    labels: (vcluster.labels ?? {}) as Record<string, string>,
  };
}
