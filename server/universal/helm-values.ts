/**
 * The user's free-form vcluster.yaml (`spec.helmValues`) through an allow-list: only the paths below may be set, each
 * with the type the chart expects. Everything else (backing store, images, security contexts, host paths, RBAC,
 * exportKubeConfig, experimental, plugins, private nodes, quotas…) is the portal's or stays the chart's default, so a
 * user cannot widen their isolation or fight the values the portal renders from the spec. Pure: the wizard runs it too.
 */
import { parseCpuMillis, parseMemoryBytes } from "./quantity";
import { GoYamlError, readGoYaml } from "./go-yaml";

type Values = Record<string, unknown>;

type Leaf =
  | { kind: "labels" }
  | { kind: "annotations" }
  | { kind: "boolean" }
  | { kind: "false" }
  | { kind: "integer"; min: number; max: number }
  | { kind: "quantity"; resource: "cpu" | "memory" };

interface Branch {
  [key: string]: Branch | Leaf;
}

const LABELS: Leaf = { kind: "labels" };
const ANNOTATIONS: Leaf = { kind: "annotations" };
const BOOLEAN: Leaf = { kind: "boolean" };
const metadata = { labels: LABELS, annotations: ANNOTATIONS };
const toggle = { enabled: BOOLEAN };
const resources = {
  cpu: { kind: "quantity", resource: "cpu" },
  memory: { kind: "quantity", resource: "memory" },
} satisfies Branch;

/** The paths users may set, in both pinned chart releases (0.30.0 and 0.36.1 have each of them). */
export const ALLOWED_VALUES: Branch = {
  controlPlane: {
    statefulSet: { ...metadata, pods: metadata },
    service: metadata,
    coredns: {
      deployment: {
        ...metadata,
        pods: metadata,
        replicas: { kind: "integer", min: 1, max: 5 },
        resources: { requests: resources, limits: resources },
      },
    },
  },
  sync: {
    toHost: {
      serviceAccounts: toggle,
      networkPolicies: toggle,
      podDisruptionBudgets: toggle,
      volumeSnapshots: toggle,
      secrets: { all: BOOLEAN },
      configMaps: { all: BOOLEAN },
    },
    fromHost: {
      events: toggle,
      ingressClasses: toggle,
      runtimeClasses: toggle,
      priorityClasses: toggle,
      csiNodes: toggle,
      csiDrivers: toggle,
      csiStorageCapacities: toggle,
      volumeSnapshotClasses: toggle,
    },
  },
  telemetry: { enabled: { kind: "false" } },
};

/** Why a path is not on the list, when there is more to say than that: the spec field that sets it, or the licence. */
const REASONS: [prefix: string, reason: string][] = [
  ["controlPlane.distro", "is set by the portal from spec.distro and spec.kubernetesVersion"],
  ["controlPlane.statefulSet.resources", "is set by the portal from spec.resources"],
  ["controlPlane.statefulSet.highAvailability", "is set by the portal from spec.replicas and spec.enableHa"],
  ["controlPlane.statefulSet.persistence", "is set by the portal from spec.storage"],
  ["controlPlane.backingStore.etcd.embedded", "needs a paid vCluster licence and is not available here"],
  ["controlPlane.backingStore.database.external", "needs a paid vCluster licence and is not available here"],
  ["controlPlane.backingStore", "is set by the portal from spec.enableHa (deployed etcd for several replicas)"],
  ["controlPlane.ingress", "is set by the portal from spec.ingress"],
  ["controlPlane.proxy.extraSANs", "is set by the portal from spec.ingress.host"],
  ["exportKubeConfig", "is set by the portal (it hands out reachable kubeconfigs)"],
  ["networking.podCIDR", "only takes effect with private nodes, which the portal does not run"],
  ["networking.serviceCIDR", "is set by the portal from spec.network.serviceCidr"],
  ["networking.advanced.clusterDomain", "is set by the portal from spec.network.dns.clusterDomain"],
  ["policies.resourceQuota", "is set by the portal from spec.resources"],
  ["policies.limitRange", "is set by the portal from spec.resources"],
  ["policies.networkPolicy", "is set by the portal from spec.network.enableNetworkPolicies"],
  ["sync.toHost.ingresses", "is set by the portal from spec.sync.toHost.ingresses"],
  ["sync.toHost.persistentVolumeClaims", "is set by the portal from spec.sync.toHost.persistentVolumeClaims"],
  ["sync.toHost.pods", "is set by the portal (workloads must sync to the host)"],
  ["sync.fromHost.nodes", "is set by the portal from spec.sync.fromHost.nodes"],
  ["sync.fromHost.storageClasses", "is set by the portal from spec.sync.fromHost.storageClasses"],
  ["plugins", "is set by the portal from spec.plugins"],
  ["sleep", "needs a paid vCluster licence and is not available here"],
  ["sleepMode", "needs a paid vCluster licence and is not available here"],
  ["snapshots", "needs a paid vCluster licence and is not available here"],
  ["external", "needs a paid vCluster licence and is not available here"],
];

/** Labels the chart, vcluster or the portal select on: a user value there would break or spoof them. */
const RESERVED_KEYS = new Set(["app", "release", "chart", "heritage"]);
const qualifiedName =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`);
const isMapping = (value: unknown): value is Values =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every path from `path` down to the leaves of `value`. */
function leafPaths(path: string, value: unknown): string[] {
  if (!isMapping(value) || Object.keys(value).length === 0) return [path];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(`${path}.${key}`, child));
}

/** Names the spec field or licence behind the refused key when one is known, else says it is not on the list. */
function notAllowed(path: string, value: unknown): string {
  for (const leaf of leafPaths(path, value)) {
    const known = REASONS.find(([prefix]) => within(leaf, prefix));
    if (known && within(known[0], path)) return `key ${known[0]} ${known[1]}`;
  }
  const reason = REASONS.find(([prefix]) => within(path, prefix))?.[1];
  return `key ${path} ${reason ?? "is not on the allow-list of values users may set (README: Helm values)"}`;
}

const isLeaf = (node: Branch | Leaf): node is Leaf => typeof node.kind === "string";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `${typeof value} ${JSON.stringify(value)}`;
}

function checkMetadata(path: string, value: unknown, labels: boolean): string | null {
  if (!isMapping(value)) return `key ${path} must be a mapping of names to strings`;
  for (const [key, v] of Object.entries(value)) {
    if (!qualifiedName.test(key)) return `key ${path}.${key}: names must be Kubernetes qualified names (prefix/name)`;
    // these land on host objects, where prefixed keys carry meaning (AppArmor and seccomp profiles, Pod Security,
    // the portal's own labels): only unprefixed names are the user's to set
    if (key.includes("/"))
      return `key ${path}.${key}: only names without a prefix may be set (prefixed ones such as kubernetes.io/… are read by the host)`;
    if (RESERVED_KEYS.has(key)) return `key ${path}.${key} is reserved for the chart and the portal`;
    if (typeof v !== "string")
      return `key ${path}.${key} must be a string, not ${describe(v)} (quote it: helm reads yes, on and 0x10 as booleans and numbers)`;
    if (labels && (v.length > 63 || !labelValue.test(v)))
      return `key ${path}.${key}: label values are at most 63 characters, alphanumeric with '-', '_', '.' inside`;
  }
  return null;
}

function checkQuantity(path: string, value: unknown, resource: "cpu" | "memory"): string | null {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text === "string") {
    try {
      if ((resource === "cpu" ? BigInt(parseCpuMillis(text)) : parseMemoryBytes(text)) > 0n) return null;
    } catch {
      /* reported below */
    }
  }
  return `key ${path} must be a positive Kubernetes quantity (e.g. ${resource === "cpu" ? "100m" : "128Mi"})`;
}

function checkLeaf(path: string, leaf: Leaf, value: unknown): string | null {
  switch (leaf.kind) {
    case "labels":
      return checkMetadata(path, value, true);
    case "annotations":
      return checkMetadata(path, value, false);
    case "boolean":
      return typeof value === "boolean" ? null : `key ${path} must be true or false, not ${describe(value)}`;
    case "false":
      return value === false ? null : `key ${path} may only be set to false`;
    case "integer":
      return Number.isInteger(value) && (value as number) >= leaf.min && (value as number) <= leaf.max
        ? null
        : `key ${path} must be a whole number from ${leaf.min} to ${leaf.max}, not ${describe(value)}`;
    case "quantity":
      return checkQuantity(path, value, leaf.resource);
  }
}

function checkBranch(prefix: string, branch: Branch, value: Values): string | null {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const allowed = Object.hasOwn(branch, key) ? branch[key] : undefined;
    if (!allowed) return notAllowed(path, child);
    const problem = isLeaf(allowed)
      ? checkLeaf(path, allowed, child)
      : isMapping(child)
        ? checkBranch(path, allowed, child)
        : `key ${path} must be a mapping, not ${describe(child)}`;
    if (problem) return problem;
  }
  return null;
}

export type HelmValuesResult = { ok: true; values: Values } | { ok: false; message: string };

/** The user's values as helm will read them, or the first rule they break (naming the key). */
export function parseHelmValues(text: string): HelmValuesResult {
  if (!text.trim()) return { ok: true, values: {} };
  let doc: unknown;
  try {
    doc = readGoYaml(text);
  } catch (error) {
    if (error instanceof GoYamlError) return { ok: false, message: error.message };
    throw error;
  }
  if (doc === null || doc === undefined) return { ok: true, values: {} };
  if (!isMapping(doc)) return { ok: false, message: "must be a YAML mapping (vcluster.yaml keys at the top level)" };
  const problem = checkBranch("", ALLOWED_VALUES, doc);
  return problem ? { ok: false, message: problem } : { ok: true, values: doc };
}

/** Null when acceptable, otherwise the rule broken, naming the key. */
export function checkHelmValues(text: string): string | null {
  const result = parseHelmValues(text);
  return result.ok ? null : result.message;
}
