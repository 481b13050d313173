/**
 * The host objects of one virtual cluster, rendered from its spec the way the vcluster chart would create them.
 * Pure: the manifests installer applies them, the Helm installer renders the equivalent values instead.
 */
import type {
  KubernetesObject,
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1ResourceQuota,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from "@kubernetes/client-node";
import { AppError } from "@/server/errors";
import { formatCpuMillis, formatMemoryBytes } from "@/server/adapters/kubernetes/quantity";
import { controlPlaneLabels, portalLabels } from "./labels";
import type { HostSpec, VClusterTarget } from "./types";

const GiB = 2n ** 30n;
/** synced workloads may use this many times one control-plane replica's limits, on top of the control plane */
const WORKLOAD_REQUEST_FACTOR = 4;
const WORKLOAD_LIMIT_FACTOR = 8;
const WORKLOAD_STORAGE_BYTES = 20n * GiB;
const WORKLOAD_PODS = 50;
const DEFAULT_PERSISTENCE_BYTES = 5n * GiB;
const API_PORT = 8443;

/** The control plane image; its tag is the Kubernetes version, which the host reports back as the vcluster's. */
export function controlPlaneImage(spec: Pick<HostSpec, "distro" | "kubernetesVersion">): string {
  if (spec.distro !== "k8s") throw new AppError("INVALID", `distro "${spec.distro}" is not supported: recent vcluster charts ship only the k8s distro`);
  return `ghcr.io/loft-sh/kubernetes:${versionTag(spec.kubernetesVersion)}`;
}

export function versionTag(version: string): string {
  return `v${version.replace(/^v/, "")}`;
}

export interface NamespaceBudget {
  quota: Record<string, string>;
  limitDefault: { cpu: string; memory: string };
  limitDefaultRequest: { cpu: string; memory: string };
}

/** Quota for the control plane plus headroom for synced workloads, and defaults for workload containers without any. */
export function namespaceBudget(spec: HostSpec): NamespaceBudget {
  const replicas = Math.max(spec.replicas, 1);
  const r = BigInt(replicas);
  const storage = spec.enablePersistence ? r * (spec.persistenceSizeBytes ?? DEFAULT_PERSISTENCE_BYTES) + WORKLOAD_STORAGE_BYTES : WORKLOAD_STORAGE_BYTES;
  const defaultCpu = Math.max(100, Math.round(spec.cpuLimitMillis / 2));
  const defaultMemory = spec.memoryLimitBytes / 2n > 128n * 2n ** 20n ? spec.memoryLimitBytes / 2n : 128n * 2n ** 20n;
  const requestCpu = Math.min(defaultCpu, Math.max(50, Math.round(spec.cpuRequestMillis / 4)));
  const quarterMemory = spec.memoryRequestBytes / 4n > 64n * 2n ** 20n ? spec.memoryRequestBytes / 4n : 64n * 2n ** 20n;
  const requestMemory = quarterMemory < defaultMemory ? quarterMemory : defaultMemory;
  return {
    quota: {
      "requests.cpu": formatCpuMillis(replicas * spec.cpuRequestMillis + WORKLOAD_REQUEST_FACTOR * spec.cpuLimitMillis),
      "requests.memory": formatMemoryBytes(r * spec.memoryRequestBytes + BigInt(WORKLOAD_REQUEST_FACTOR) * spec.memoryLimitBytes),
      "limits.cpu": formatCpuMillis(replicas * spec.cpuLimitMillis + WORKLOAD_LIMIT_FACTOR * spec.cpuLimitMillis),
      "limits.memory": formatMemoryBytes(r * spec.memoryLimitBytes + BigInt(WORKLOAD_LIMIT_FACTOR) * spec.memoryLimitBytes),
      "requests.storage": formatMemoryBytes(storage),
      "count/pods": String(replicas + WORKLOAD_PODS),
      "count/services": "20",
      "count/persistentvolumeclaims": String(replicas + 20),
      "services.nodeports": "0",
      "services.loadbalancers": "1",
    },
    limitDefault: { cpu: formatCpuMillis(defaultCpu), memory: formatMemoryBytes(defaultMemory) },
    limitDefaultRequest: { cpu: formatCpuMillis(requestCpu), memory: formatMemoryBytes(requestMemory) },
  };
}

export function controlPlaneResources(spec: HostSpec): { requests: Record<string, string>; limits: Record<string, string> } {
  return {
    requests: { cpu: formatCpuMillis(spec.cpuRequestMillis), memory: formatMemoryBytes(spec.memoryRequestBytes) },
    limits: { cpu: formatCpuMillis(spec.cpuLimitMillis), memory: formatMemoryBytes(spec.memoryLimitBytes) },
  };
}

export function persistenceSize(spec: HostSpec): string {
  return formatMemoryBytes(spec.persistenceSizeBytes ?? DEFAULT_PERSISTENCE_BYTES);
}

export function renderNamespace(target: VClusterTarget, spec: HostSpec): V1Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: target.namespace, labels: { ...spec.labels, ...portalLabels(target) } } };
}

export function renderResourceQuota(target: VClusterTarget, spec: HostSpec): V1ResourceQuota {
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: `vc-${target.name}`, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } },
    spec: { hard: namespaceBudget(spec).quota },
  };
}

export function renderLimitRange(target: VClusterTarget, spec: HostSpec): V1LimitRange {
  const budget = namespaceBudget(spec);
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: `vc-${target.name}`, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } },
    spec: { limits: [{ type: "Container", _default: budget.limitDefault, defaultRequest: budget.limitDefaultRequest }] },
  };
}

/** Isolates the namespace as the chart's policies.networkPolicy does: traffic only from inside it, DNS and egress out. */
export function renderNetworkPolicy(target: VClusterTarget): V1NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `vc-work-${target.name}`, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } },
    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ _from: [{ podSelector: {} }] }] },
  };
}

export function renderServiceAccount(target: VClusterTarget): V1ServiceAccount {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: `vc-${target.name}`, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } } };
}

const allVerbs = ["create", "delete", "patch", "update", "get", "list", "watch"];

/** The namespaced permissions the chart gives the syncer. */
export function renderRole(target: VClusterTarget): V1Role {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: `vc-${target.name}`, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } },
    rules: [
      { apiGroups: [""], resources: ["configmaps", "secrets", "services", "pods", "pods/attach", "pods/portforward", "pods/exec", "persistentvolumeclaims"], verbs: allVerbs },
      { apiGroups: [""], resources: ["pods/status", "pods/ephemeralcontainers"], verbs: ["patch", "update"] },
      { apiGroups: ["apps"], resources: ["statefulsets", "replicasets", "deployments"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["endpoints", "events", "pods/log"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: allVerbs },
    ],
  };
}

export function renderRoleBinding(target: VClusterTarget): V1RoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: `vc-${target.name}`, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } },
    subjects: [{ kind: "ServiceAccount", name: `vc-${target.name}`, namespace: target.namespace }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `vc-${target.name}` },
  };
}

export function renderService(target: VClusterTarget): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: target.name, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } },
    spec: {
      type: "ClusterIP",
      ports: [{ name: "https", port: 443, targetPort: API_PORT, protocol: "TCP" }],
      selector: controlPlaneLabels(target.name),
    },
  };
}

/** The StatefulSet's governing service, as the chart names it. */
export function renderHeadlessService(target: VClusterTarget): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${target.name}-headless`, namespace: target.namespace, labels: { ...controlPlaneLabels(target.name), ...portalLabels(target) } },
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      ports: [{ name: "https", port: 443, targetPort: API_PORT, protocol: "TCP" }],
      selector: controlPlaneLabels(target.name),
    },
  };
}

export function renderStatefulSet(target: VClusterTarget, spec: HostSpec, replicas = spec.replicas): V1StatefulSet {
  const labels = controlPlaneLabels(target.name);
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: target.name, namespace: target.namespace, labels: { ...labels, ...portalLabels(target) } },
    spec: {
      replicas,
      serviceName: `${target.name}-headless`,
      podManagementPolicy: "Parallel",
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: `vc-${target.name}`,
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: "syncer",
              image: controlPlaneImage(spec),
              ports: [{ name: "https", containerPort: API_PORT, protocol: "TCP" }],
              resources: controlPlaneResources(spec),
              volumeMounts: [{ name: "data", mountPath: "/data" }],
              readinessProbe: { httpGet: { path: "/readyz", port: API_PORT, scheme: "HTTPS" } },
            },
          ],
          ...(spec.enablePersistence ? {} : { volumes: [{ name: "data", emptyDir: {} }] }),
        },
      },
      ...(spec.enablePersistence
        ? {
            volumeClaimTemplates: [
              {
                metadata: { name: "data" },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  resources: { requests: { storage: persistenceSize(spec) } },
                  ...(spec.defaultStorageClass ? { storageClassName: spec.defaultStorageClass } : {}),
                },
              },
            ],
          }
        : {}),
    },
  };
}

/** Everything the manifests installer applies, in dependency order (namespace and policies before the control plane). */
export function renderHostObjects(target: VClusterTarget, spec: HostSpec, replicas = spec.replicas): KubernetesObject[] {
  return [
    renderNamespace(target, spec),
    renderResourceQuota(target, spec),
    renderLimitRange(target, spec),
    ...(spec.enableNetworkPolicies ? [renderNetworkPolicy(target)] : []),
    renderServiceAccount(target),
    renderRole(target),
    renderRoleBinding(target),
    renderService(target),
    renderHeadlessService(target),
    renderStatefulSet(target, spec, replicas),
  ];
}
