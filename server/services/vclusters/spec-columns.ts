import { parseCpuMillis, parseMemoryBytes } from "@/server/universal/quantity";
import type { Prisma } from "@/server/generated/prisma/client";
import type { VClusterSpec } from "@/server/universal/vcluster-spec";

/** The spec as stored: parsed quantities in columns (for quotas and placement), the whole spec as submitted in `spec`. */
export function columnsOfSpec(spec: VClusterSpec) {
  return {
    kubernetesVersion: spec.kubernetesVersion,
    distro: spec.distro,
    cpuRequestMillis: parseCpuMillis(spec.resources.cpuRequest),
    cpuLimitMillis: parseCpuMillis(spec.resources.cpuLimit),
    memoryRequestBytes: parseMemoryBytes(spec.resources.memoryRequest),
    memoryLimitBytes: parseMemoryBytes(spec.resources.memoryLimit),
    replicas: spec.replicas,
    enableHa: spec.enableHa,
    podCidr: spec.network.podCidr ?? null,
    serviceCidr: spec.network.serviceCidr ?? null,
    enableNetworkPolicies: spec.network.enableNetworkPolicies,
    dns: spec.network.dns as Prisma.InputJsonValue,
    defaultStorageClass: spec.storage.defaultStorageClass ?? null,
    enablePersistence: spec.storage.enablePersistence,
    persistenceSizeBytes: spec.storage.enablePersistence ? parseMemoryBytes(spec.storage.persistenceSize) : null,
    helmValues: spec.helmValues,
    sync: spec.sync as Prisma.InputJsonValue,
    plugins: spec.plugins as Prisma.InputJsonValue,
    ingress: spec.ingress as Prisma.InputJsonValue,
    spec: spec as unknown as Prisma.InputJsonValue,
  };
}
