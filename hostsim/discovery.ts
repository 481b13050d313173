import type { Registry, ResourceType } from "./registry";

const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const aggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
export const aggregatedV2beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

function groupVersionFor(g: string, v: string) {
  return { groupVersion: g ? `${g}/${v}` : v, version: v };
}

export function legacyVersions() {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }] };
}

export function groupList(reg: Registry) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: reg
      .groupVersions()
      .filter((g) => g.group !== "")
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

export function apiGroup(group: string, versions: string[]) {
  const vs = versions.map((v) => groupVersionFor(group, v));
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions: vs, preferredVersion: vs[0] };
}

export function resourceList(reg: Registry, group: string, version: string) {
  const types = reg.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs, ...(t.shortNames.length ? { shortNames: t.shortNames } : {}), ...(t.categories.length ? { categories: t.categories } : {}) },
    ...(t.status ? [{ name: `${t.plural}/status`, singularName: "", namespaced: t.namespaced, kind: t.kind, verbs: ["get", "patch", "update"] }] : []),
    ...(t.scale ? [{ name: `${t.plural}/scale`, singularName: "", namespaced: t.namespaced, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] }] : []),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

function discoveryResource(t: ResourceType) {
  const kindRef = { group: t.group, version: t.version, kind: t.kind };
  const subresources = [
    ...(t.status ? [{ subresource: "status", responseKind: kindRef, verbs: ["get", "patch", "update"] }] : []),
    ...(t.scale ? [{ subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: ["get", "patch", "update"] }] : []),
  ];
  return {
    resource: t.plural,
    responseKind: kindRef,
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
    ...(subresources.length ? { subresources } : {}),
  };
}

/** Aggregated discovery (apidiscovery.k8s.io): /api holds the core group, /apis all named groups. */
export function aggregated(reg: Registry, legacy: boolean, apiVersion: "v2" | "v2beta1") {
  const groups = reg.groupVersions().filter((g) => (g.group === "") === legacy);
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: reg
          .all()
          .filter((t) => t.group === g.group && t.version === v)
          .map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}

