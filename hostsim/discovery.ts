import type { ServerResponse } from "node:http";
import type { ApiContext } from "./apicontext";
import { errors } from "./errors";
import type { Registry, ResourceType } from "./registry";
import { type ApiRequest, mediaTypes, send } from "./request";

const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const aggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
export const aggregatedV2beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

function groupVersionFor(g: string, v: string) {
  return { groupVersion: g ? `${g}/${v}` : v, version: v };
}

export function legacyVersions() {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }],
  };
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
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs ?? verbs,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    },
    ...(t.status
      ? [
          {
            name: `${t.plural}/status`,
            singularName: "",
            namespaced: t.namespaced,
            kind: t.kind,
            verbs: ["get", "patch", "update"],
          },
        ]
      : []),
    ...(t.scale
      ? [
          {
            name: `${t.plural}/scale`,
            singularName: "",
            namespaced: t.namespaced,
            group: "autoscaling",
            version: "v1",
            kind: "Scale",
            verbs: ["get", "patch", "update"],
          },
        ]
      : []),
  ]);
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function discoveryResource(t: ResourceType) {
  const kindRef = { group: t.group, version: t.version, kind: t.kind };
  const subresources = [
    ...(t.status ? [{ subresource: "status", responseKind: kindRef, verbs: ["get", "patch", "update"] }] : []),
    ...(t.scale
      ? [
          {
            subresource: "scale",
            responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
            verbs: ["get", "patch", "update"],
          },
        ]
      : []),
  ];
  return {
    resource: t.plural,
    responseKind: kindRef,
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: t.verbs ?? verbs,
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

/** Answers the discovery endpoints; false when the path is not one. */
export function serveDiscovery(ctx: ApiContext, segs: string[], req: ApiRequest, res: ServerResponse): boolean {
  const reg = ctx.cluster.registry;
  const accept = mediaTypes(req.headers.accept);
  const agg = (legacy: boolean) => {
    if (accept.some((m) => m.includes("as=APIGroupDiscoveryList") && /;v=v2(;|$)/.test(m))) {
      send(res, 200, aggregated(reg, legacy, "v2"), aggregatedV2);
      return true;
    }
    if (accept.some((m) => m.includes("as=APIGroupDiscoveryList") && /;v=v2beta1(;|$)/.test(m))) {
      send(res, 200, aggregated(reg, legacy, "v2beta1"), aggregatedV2beta1);
      return true;
    }
    return false;
  };
  if (segs[0] === "api" && segs.length === 1) return agg(true) || (send(res, 200, legacyVersions()), true);
  if (segs[0] === "apis" && segs.length === 1) return agg(false) || (send(res, 200, groupList(reg)), true);
  if (segs[0] === "api" && segs.length === 2) {
    const rl = resourceList(reg, "", segs[1]);
    if (!rl) throw errors.pathNotFound();
    send(res, 200, rl);
    return true;
  }
  if (segs[0] === "apis" && segs.length === 2) {
    const g = reg.groupVersions().find((x) => x.group === segs[1]);
    if (!g) throw errors.pathNotFound();
    send(res, 200, apiGroup(g.group, g.versions));
    return true;
  }
  if (segs[0] === "apis" && segs.length === 3) {
    const rl = resourceList(reg, segs[1], segs[2]);
    if (!rl) throw errors.pathNotFound();
    send(res, 200, rl);
    return true;
  }
  return false;
}

/** Serves one cluster's Kubernetes API: version, discovery, OpenAPI and every registered resource. */
