/**
 * What the engine needs from a host cluster to run virtual clusters. One implementation drives real Kubernetes
 * through @kubernetes/client-node, following real vcluster's conventions (../shared/design/vcluster-facts.md), so it
 * works against the simulated host and against real clusters alike.
 */
import type { ChartSource } from "@/server/adapters/helm/chart-source";
import type { Condition } from "@/server/universal/conditions";
import type { VirtualApiChannel } from "./virtual-api";

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
  /** the state lives in a deployed etcd (else embedded SQLite); fixed at creation, see backing-store.ts */
  enableHa: boolean;
  cpuRequestMillis: number;
  cpuLimitMillis: number;
  memoryRequestBytes: bigint;
  memoryLimitBytes: bigint;
  enablePersistence: boolean;
  persistenceSizeBytes: bigint | null;
  defaultStorageClass: string | null;
  serviceCidr: string | null;
  enableNetworkPolicies: boolean;
  clusterDomain: string;
  sync: {
    toHost: { ingresses: boolean; persistentVolumeClaims: boolean };
    fromHost: { nodes: boolean; storageClasses: boolean };
  };
  plugins: { name: string; image: string }[];
  /** the control plane's API through an ingress at `host` */
  ingress: { enabled: boolean; host: string | null; ingressClassName: string | null };
  /** user-supplied vcluster.yaml fragment; checked against the allow-list again when rendered */
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
  /** the control plane workload exists */
  installed: boolean;
  /** the chart makes a Deployment by default, a StatefulSet with persistence or embedded etcd */
  controlPlaneKind: "StatefulSet" | "Deployment" | null;
  /** a failure that waiting will not mend (the syncer keeps refusing to start); null while things may still come up */
  failure: string | null;
  /** scaled to 0 with the loft.sh/paused annotations */
  paused: boolean;
  /** the control plane's spec.replicas */
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
  /** where this host's chart comes from, and the version it pins for new installs */
  readonly chart: ChartSource;
  /** reachability and capacity of the host; throws UNAVAILABLE when it does not answer */
  probe(): Promise<HostInfo>;
  /** namespace, then the chart at `chartVersion` (`helm upgrade --install`); idempotent */
  install(target: VClusterTarget, spec: HostSpec, chartVersion: string): Promise<void>;
  /** a changed spec (resources, version, values) or chart version rolled out with `helm upgrade` */
  upgrade(target: VClusterTarget, spec: HostSpec, chartVersion: string): Promise<void>;
  /**
   * as `vcluster pause`: scale to 0 with loft.sh/paused* annotations, delete synced workload pods;
   * `configuredReplicas` is what resume restores when the control plane was already at 0
   */
  suspend(target: VClusterTarget, configuredReplicas?: number): Promise<void>;
  /** as `vcluster resume`: back to loft.sh/paused-replicas, annotations removed */
  resume(target: VClusterTarget): Promise<void>;
  /** delete everything of the vcluster and wait until its namespace is gone */
  uninstall(target: VClusterTarget): Promise<void>;
  status(target: VClusterTarget): Promise<HostStatus>;
  /** Secret vc-<name> as vcluster wrote it, with a reachability check made through the host */
  kubeconfig(target: VClusterTarget): Promise<KubeconfigResult>;
  /** null when the virtual API answers through the host with the vc-<name> credentials, else why not */
  checkVirtualApi(target: VClusterTarget): Promise<string | null>;
  /** a lasting port-forward to the virtual API with its TLS material, for the access gateway; the caller closes it */
  openVirtualApi(target: VClusterTarget): Promise<VirtualApiChannel>;
  /** runs `fn` with a kubeconfig that reaches the virtual API through a port-forward, closed afterwards */
  withVirtualApi<T>(target: VClusterTarget, fn: (kubeconfig: string) => Promise<T>): Promise<T>;
}

/**
 * The adapter of a host cluster by its id. Declared beside the adapter rather than in the worker, so the services and
 * the API that ask for adapters depend on this layer only, not on the engine's worker.
 */
export interface AdapterProvider {
  forHost(hostClusterId: string): Promise<VClusterAdapter>;
}
