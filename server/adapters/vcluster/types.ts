/**
 * What the engine needs from a host cluster to run virtual clusters. One implementation drives real Kubernetes
 * through @kubernetes/client-node, following real vcluster's conventions (../shared/design/vcluster-facts.md), so it
 * works against the simulated host and against real clusters alike.
 */
import type { Condition } from "@/server/engine/conditions";

/** Where a vcluster lives on its host. */
export interface VClusterTarget {
  vclusterId: string;
  projectId: string;
  /** the vcluster's name: Helm release name, StatefulSet `release` label, Secret `vc-<name>` */
  name: string;
  /** host namespace, one per vcluster */
  namespace: string;
}

/** The part of the spec that shapes host objects. Quantities are already parsed. */
export interface HostSpec {
  kubernetesVersion: string;
  distro: string;
  replicas: number;
  cpuRequestMillis: number;
  cpuLimitMillis: number;
  memoryRequestBytes: bigint;
  memoryLimitBytes: bigint;
  enablePersistence: boolean;
  persistenceSizeBytes: bigint | null;
  defaultStorageClass: string | null;
  podCidr: string | null;
  serviceCidr: string | null;
  enableNetworkPolicies: boolean;
  /** user-supplied vcluster.yaml fragment, already validated */
  helmValues: string;
  labels: Record<string, string>;
}

export interface HostEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  object: string;
  lastSeen: string;
  count: number;
}

export interface HostStatus {
  /** the control plane StatefulSet exists */
  installed: boolean;
  /** scaled to 0 with the loft.sh/paused annotations */
  paused: boolean;
  /** StatefulSet spec.replicas */
  desiredReplicas: number;
  readyReplicas: number;
  /** loft.sh/paused-replicas, when paused */
  pausedReplicas: number | null;
  /** the Kubernetes version the control plane runs (from its image) */
  kubernetesVersion: string | null;
  /** the server URL of the Secret vc-<name> kubeconfig, when it exists */
  apiServerEndpoint: string | null;
  /** Ready, ControlPlaneAvailable, Paused, … consistent with the fields above */
  conditions: Condition[];
  events: HostEvent[];
}

export interface KubeconfigResult {
  /** the kubeconfig YAML; never log it */
  kubeconfig: string;
  server: string;
  reachable: boolean;
  /** a plain-words explanation when the server is not usable from outside (e.g. https://localhost:8443) */
  warning: string | null;
}

export interface HostInfo {
  kubernetesVersion: string;
  nodes: number;
  allocatableCpuMillis: number;
  allocatableMemoryBytes: bigint;
}

export interface VClusterAdapter {
  /** reachability and capacity of the host; throws UNAVAILABLE when it does not answer */
  probe(): Promise<HostInfo>;
  /** namespace, quota, limit range, then the control plane; idempotent (apply, never blind create) */
  install(target: VClusterTarget, spec: HostSpec): Promise<void>;
  /** a changed spec (resources, version, values) rolled out to the existing control plane */
  upgrade(target: VClusterTarget, spec: HostSpec): Promise<void>;
  scale(target: VClusterTarget, replicas: number): Promise<void>;
  /** as `vcluster pause`: scale to 0 with loft.sh/paused* annotations, delete synced workload pods */
  suspend(target: VClusterTarget): Promise<void>;
  /** as `vcluster resume`: back to loft.sh/paused-replicas, annotations removed */
  resume(target: VClusterTarget): Promise<void>;
  /** delete everything of the vcluster and wait until its namespace is gone */
  uninstall(target: VClusterTarget): Promise<void>;
  status(target: VClusterTarget): Promise<HostStatus>;
  kubeconfig(target: VClusterTarget): Promise<KubeconfigResult>;
}
