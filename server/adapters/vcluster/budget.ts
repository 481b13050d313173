/**
 * What a vcluster may use on its host, derived from its spec: the control plane's resources and volume, and the
 * namespace's ResourceQuota and LimitRange (the chart's policies.*) sized for the control plane plus its workloads.
 */
import { formatCpuMillis, formatMemoryBytes } from "@/server/universal/quantity";
import { DEPLOYED_ETCD_REPLICAS, usesDeployedEtcd } from "./backing-store";
import type { HostSpec } from "./types";

const GiB = 2n ** 30n;
const MiB = 2n ** 20n;
/** synced workloads may use this many times one control-plane replica's limits, on top of the control plane */
const WORKLOAD_REQUEST_FACTOR = 4;
const WORKLOAD_LIMIT_FACTOR = 8;
const WORKLOAD_STORAGE_BYTES = 20n * GiB;
const WORKLOAD_PODS = 50;
export const DEFAULT_PERSISTENCE_BYTES = 5n * GiB;

export interface NamespaceBudget {
  quota: Record<string, string>;
  limitDefault: { cpu: string; memory: string };
  limitDefaultRequest: { cpu: string; memory: string };
}

/** How many volumes of the spec's size the vcluster's data takes: one per etcd member with HA, else the one SQLite volume. */
export function dataVolumes(spec: HostSpec): number {
  if (!spec.enablePersistence) return 0;
  return usesDeployedEtcd(spec) ? DEPLOYED_ETCD_REPLICAS : 1;
}

/** Quota for the control plane (and its etcd) plus headroom for synced workloads, and defaults for containers without any. */
export function namespaceBudget(spec: HostSpec): NamespaceBudget {
  const replicas = Math.max(spec.replicas, 1);
  const r = BigInt(replicas);
  const volumes = dataVolumes(spec);
  const etcdPods = usesDeployedEtcd(spec) ? DEPLOYED_ETCD_REPLICAS : 0;
  const storage = BigInt(volumes) * (spec.persistenceSizeBytes ?? DEFAULT_PERSISTENCE_BYTES) + WORKLOAD_STORAGE_BYTES;
  const defaultCpu = Math.max(100, Math.round(spec.cpuLimitMillis / 2));
  const defaultMemory = spec.memoryLimitBytes / 2n > 128n * MiB ? spec.memoryLimitBytes / 2n : 128n * MiB;
  const requestCpu = Math.min(defaultCpu, Math.max(50, Math.round(spec.cpuRequestMillis / 4)));
  const quarterMemory = spec.memoryRequestBytes / 4n > 64n * MiB ? spec.memoryRequestBytes / 4n : 64n * MiB;
  const requestMemory = quarterMemory < defaultMemory ? quarterMemory : defaultMemory;
  return {
    quota: {
      "requests.cpu": formatCpuMillis(replicas * spec.cpuRequestMillis + WORKLOAD_REQUEST_FACTOR * spec.cpuLimitMillis),
      "requests.memory": formatMemoryBytes(
        r * spec.memoryRequestBytes + BigInt(WORKLOAD_REQUEST_FACTOR) * spec.memoryLimitBytes,
      ),
      "limits.cpu": formatCpuMillis(replicas * spec.cpuLimitMillis + WORKLOAD_LIMIT_FACTOR * spec.cpuLimitMillis),
      "limits.memory": formatMemoryBytes(
        r * spec.memoryLimitBytes + BigInt(WORKLOAD_LIMIT_FACTOR) * spec.memoryLimitBytes,
      ),
      "requests.storage": formatMemoryBytes(storage),
      "count/pods": String(replicas + etcdPods + WORKLOAD_PODS),
      "count/services": "20",
      "count/persistentvolumeclaims": String(volumes + 20),
      "services.nodeports": "0",
      "services.loadbalancers": "1",
    },
    limitDefault: { cpu: formatCpuMillis(defaultCpu), memory: formatMemoryBytes(defaultMemory) },
    limitDefaultRequest: { cpu: formatCpuMillis(requestCpu), memory: formatMemoryBytes(requestMemory) },
  };
}

export function controlPlaneResources(spec: HostSpec): {
  requests: Record<string, string>;
  limits: Record<string, string>;
} {
  return {
    requests: { cpu: formatCpuMillis(spec.cpuRequestMillis), memory: formatMemoryBytes(spec.memoryRequestBytes) },
    limits: { cpu: formatCpuMillis(spec.cpuLimitMillis), memory: formatMemoryBytes(spec.memoryLimitBytes) },
  };
}

export function persistenceSize(spec: HostSpec): string {
  return formatMemoryBytes(spec.persistenceSizeBytes ?? DEFAULT_PERSISTENCE_BYTES);
}
