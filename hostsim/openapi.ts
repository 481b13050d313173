import { createHash } from "node:crypto";
import type { Registry, ResourceType } from "./registry";

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openApiIndex(reg: Registry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of reg.groupVersions()) {
    for (const v of g.versions) {
      const p = gvPath(g.group, v);
      const hash = createHash("sha256")
        .update(JSON.stringify(openApiGroupVersion(reg, g.group, v)))
        .digest("hex")
        .slice(0, 32)
        .toUpperCase();
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
  }
  return { paths };
}

const query = (name: string, type: string) => ({ name, in: "query", schema: { type, uniqueItems: true } });
const writeParams = [query("dryRun", "string"), query("fieldManager", "string"), query("fieldValidation", "string")];

function schemaName(t: ResourceType): string {
  return t.crd
    ? `${t.group.split(".").reverse().join(".")}.${t.version}.${t.kind}`
    : `io.k8s.api.${t.group ? t.group.split(".")[0] : "core"}.${t.version}.${t.kind}`;
}

/**
 * A per group-version OpenAPI v3 document with what kubectl reads from it: PATCH operations tagged with their
 * group-version-kind and the fieldValidation parameter (so kubectl leaves validation to the server), and a
 * schema per kind.
 */
export function openApiGroupVersion(reg: Registry, group: string, version: string) {
  const types = reg.all().filter((t) => t.group === group && t.version === version);
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const base = `/${gvPath(group, version)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}`;
    const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
    const ok = { "200": { description: "OK", content: { "application/json": { schema: ref } } } };
    const op = (action: string, params: unknown[] = []) => ({
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
      parameters: params,
      responses: ok,
    });
    paths[base] = { get: op("list"), post: op("post", writeParams) };
    paths[`${base}/{name}`] = {
      get: op("get"),
      put: op("put", writeParams),
      patch: op("patch", [...writeParams, query("force", "boolean")]),
      delete: op("delete"),
    };
    schemas[schemaName(t)] = {
      type: "object",
      description: `${t.kind} served by hostsim`,
      "x-kubernetes-group-version-kind": [gvk],
      properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } },
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "hostsim" }, paths, components: { schemas } };
}

export function parseOpenApiPath(rest: string): { group: string; version: string } | undefined {
  const m = /^(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(rest);
  if (!m) return undefined;
  return m[1] ? { group: "", version: m[1] } : { group: m[2], version: m[3] };
}
