/**
 * Which resource types a snapshot holds, found through the cluster's own legacy discovery (/api, /apis), so that
 * CRDs and any group the cluster serves are included without a list kept here.
 */
import type { KubeApi } from "./kube-api";

export interface ResourceType {
  group: string;
  apiVersion: string;
  kind: string;
  /** the plural resource name in URLs */
  resource: string;
  namespaced: boolean;
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/**
 * Types not exported, by group/resource. Events expire and describe the past; endpoints and endpoint slices are
 * regenerated from Services; nodes belong to the host (vcluster syncs them in); leases are heartbeats and leader
 * locks, meaningless once restored.
 */
const SKIPPED = new Set([
  "/events",
  "events.k8s.io/events",
  "/endpoints",
  "discovery.k8s.io/endpointslices",
  "/nodes",
  "coordination.k8s.io/leases",
  "/componentstatuses",
  "metrics.k8s.io/pods",
  "metrics.k8s.io/nodes",
]);
/** what restore needs: list to export, create and patch to apply (which excludes reviews and other virtual kinds) */
const NEEDED_VERBS = ["list", "get", "create", "patch", "delete"];

export function isSnapshotType(group: string, r: APIResource): boolean {
  if (r.name.includes("/")) return false; // subresources: status, scale, log…
  if (SKIPPED.has(`${group}/${r.name}`)) return false;
  return NEEDED_VERBS.every((v) => r.verbs?.includes(v));
}

function typesOf(group: string, apiVersion: string, list: { resources?: APIResource[] }): ResourceType[] {
  return (list.resources ?? [])
    .filter((r) => isSnapshotType(group, r))
    .map((r) => ({ group, apiVersion, kind: r.kind, resource: r.name, namespaced: r.namespaced }));
}

/** Every snapshot type the cluster serves, each group at its preferred version. */
export async function discoverResourceTypes(api: KubeApi): Promise<ResourceType[]> {
  const core = await api.get<{ resources?: APIResource[] }>("/api/v1", "discovery of /api/v1");
  const groups = await api.get<{
    groups?: { name: string; preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[];
  }>("/apis", "discovery of /apis");
  const named = await Promise.all(
    (groups.groups ?? []).map(async (g) => {
      const gv = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion;
      if (!gv) return [];
      return typesOf(
        g.name,
        gv,
        await api.get<{ resources?: APIResource[] }>(`/apis/${gv}`, `discovery of /apis/${gv}`),
      );
    }),
  );
  return [...typesOf("", "v1", core), ...named.flat()];
}

/** The collection URL of a type, in one namespace or across all of them. */
export function collectionPath(
  t: Pick<ResourceType, "group" | "apiVersion" | "resource" | "namespaced">,
  namespace?: string,
): string {
  const base = t.group ? `/apis/${t.apiVersion}` : "/api/v1";
  return t.namespaced && namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${t.resource}`
    : `${base}/${t.resource}`;
}

export function objectPath(t: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(t, namespace)}/${encodeURIComponent(name)}`;
}
