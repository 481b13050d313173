import { parse as parseYaml } from "yaml";

/** vcluster.yaml keys the portal sets from the spec: a user value there would silently fight the portal. */
const PORTAL_OWNED: Record<string, string> = {
  "controlPlane.distro": "spec.distro and spec.kubernetesVersion",
  "controlPlane.statefulSet.resources": "spec.resources",
  "controlPlane.statefulSet.highAvailability": "spec.replicas and spec.enableHa",
  "controlPlane.statefulSet.persistence": "spec.storage",
  "controlPlane.ingress": "spec.ingress",
  "exportKubeConfig": "the portal (it hands out reachable kubeconfigs)",
  "networking.podCIDR": "spec.network.podCidr",
  "policies.resourceQuota": "spec.resources",
  "policies.limitRange": "spec.resources",
  "policies.networkPolicy": "spec.network.enableNetworkPolicies",
  "sync": "spec.sync",
  "plugins": "spec.plugins",
};

/** Features that fail without a vCluster Platform licence. */
const PAID: string[] = [
  "sleep",
  "sleepMode",
  "snapshots",
  "external",
  "controlPlane.backingStore.etcd.embedded",
  "controlPlane.backingStore.database.external",
];

function paths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return prefix ? [prefix] : [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return prefix ? [prefix] : [];
  return entries.flatMap(([key, child]) => [...(prefix ? [prefix] : []), ...paths(child, prefix ? `${prefix}.${key}` : key)]);
}

const within = (path: string, key: string) => path === key || path.startsWith(`${key}.`);

/** Null when acceptable, otherwise the rule broken, naming the key. */
export function checkHelmValues(text: string): string | null {
  if (!text.trim()) return null;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return `must be valid YAML (${(error as Error).message.split("\n")[0]})`;
  }
  if (doc === null || doc === undefined) return null;
  if (typeof doc !== "object" || Array.isArray(doc)) return "must be a YAML mapping (vcluster.yaml keys at the top level)";
  const all = paths(doc);
  for (const key of PAID) if (all.some((p) => within(p, key))) return `key ${key} needs a paid vCluster licence and is not available here`;
  for (const [key, owner] of Object.entries(PORTAL_OWNED)) {
    if (all.some((p) => within(p, key))) return `key ${key} is set by the portal from ${owner}; set it there instead`;
  }
  return null;
}
