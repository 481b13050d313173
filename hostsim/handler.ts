import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import YAML from "yaml";
import type { Cluster, PatchType, WriteOptions } from "./cluster";
import { aggregated, aggregatedV2, aggregatedV2beta1, apiGroup, groupList, legacyVersions, resourceList } from "./discovery";
import { ApiError, errors } from "./errors";
import { jsonPatch, mergePatch } from "./patch";
import { strategicMerge } from "./strategic";
import { openApiV2 } from "./openapiv2";
import { openApiGroupVersion, openApiIndex, parseOpenApiPath } from "./openapi";
import { decodeProtobuf } from "./protobuf";
import { apiVersionOf, storeKey, type ResourceType } from "./registry";
import { parseFieldSelector, parseLabelSelector } from "./selectors";
import { partialMetadata, toTable } from "./table";
import { clone, isObj, readJsonPath, type KObject, type Obj } from "./types";
import { matches, serveWatch, type ObjectFilter, type WatchHub } from "./watch";

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(gitVersion: string): VersionInfo {
  const m = /^v?(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "0",
    gitVersion: gitVersion.startsWith("v") ? gitVersion : `v${gitVersion}`,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2025-01-01T00:00:00Z",
    goVersion: "go1.23.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export interface ApiContext {
  cluster: Cluster;
  version: VersionInfo;
  hub: WatchHub;
  bookmarkIntervalMs: number;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(res: ServerResponse, code: number, body: unknown, contentType = "application/json", warnings: string[] = []): void {
  const headers: Record<string, string | string[]> = { "Content-Type": contentType };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
  send(res, err.code, err.status());
}

function mediaTypes(accept: string | undefined): string[] {
  return (accept ?? "").split(",").map((s) => s.trim().replace(/\s+/g, ""));
}

function wantsAs(headers: IncomingHttpHeaders, as: string): boolean {
  return mediaTypes(headers.accept).some((m) => m.includes(`as=${as}`) && m.includes("g=meta.k8s.io"));
}

interface Target {
  rt: ResourceType;
  ns?: string;
  name?: string;
  sub?: string;
  legacyWatch: boolean;
}

function resolve(ctx: ApiContext, group: string, version: string, segs: string[]): Target {
  let legacyWatch = false;
  if (segs[0] === "watch") {
    legacyWatch = true;
    segs = segs.slice(1);
  }
  const reg = ctx.cluster.registry;
  if (segs[0] === "namespaces" && segs.length >= 3) {
    const rt = reg.lookup(group, version, segs[2]);
    if (rt?.namespaced) return { rt, ns: segs[1], name: segs[3], sub: segs[4], legacyWatch };
  }
  const rt = reg.lookup(group, version, segs[0] ?? "");
  if (!rt || segs.length > 3) throw errors.pathNotFound();
  return { rt, name: segs[1], sub: segs[2], legacyWatch };
}

function decodeBody(req: ApiRequest, patch: boolean): unknown {
  const type = String(req.headers["content-type"] ?? "application/json").split(";")[0].trim();
  const text = () => req.body.toString("utf8");
  try {
    if (type === "application/vnd.kubernetes.protobuf" && !patch) return decodeProtobuf(req.body);
    if (type === "application/yaml" || type === "application/apply-patch+yaml") return YAML.parse(text());
    if (type.endsWith("json")) return req.body.length ? JSON.parse(text()) : {};
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw errors.badRequest(`error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
  }
  throw errors.unsupportedMedia(type);
}

const patchTypes: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

function withVersion(rt: ResourceType, o: KObject): KObject {
  const v = apiVersionOf(rt);
  return o.apiVersion === v ? o : { ...o, apiVersion: v };
}

function writeOptions(req: ApiRequest): WriteOptions {
  const ua = String(req.headers["user-agent"] ?? "");
  return {
    fieldManager: req.query.get("fieldManager") ?? (ua.split("/")[0] || "unknown"),
    fieldValidation: req.query.get("fieldValidation") ?? "Warn",
    dryRun: req.query.has("dryRun"),
    warnings: [],
  };
}

const continueToken = (rv: number, key: string) => Buffer.from(JSON.stringify({ rv, start: key })).toString("base64url");

function parseContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { rv: number; start: string };
    if (typeof parsed.start !== "string") throw new Error("bad token");
    return parsed;
  } catch {
    throw errors.badRequest("continue key is not valid: invalid continue token");
  }
}

function filterFor(t: Target, q: URLSearchParams): ObjectFilter {
  return {
    res: storeKey(t.rt),
    ns: t.ns,
    labels: parseLabelSelector(q.get("labelSelector") ?? ""),
    fields: parseFieldSelector(q.get("fieldSelector") ?? "", t.rt.fieldSelectors),
  };
}

function list(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const filter = filterFor(t, req.query);
  const rv = ctx.cluster.store.currentRv;
  let items = ctx.cluster.list(t.rt, t.ns).filter((o) => matches(filter, o));
  const cont = req.query.get("continue");
  if (cont) {
    const { start } = parseContinue(cont);
    const key = (o: KObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? ""));
    items = items.filter((o) => key(o) > start);
  }
  const limit = Number(req.query.get("limit") ?? 0);
  const listMeta: Record<string, unknown> = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1];
    listMeta.continue = continueToken(rv, last.metadata.namespace ? `${last.metadata.namespace}/${last.metadata.name}` : (last.metadata.name ?? ""));
    listMeta.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  if (wantsAs(req.headers, "Table")) {
    send(res, 200, toTable(t.rt, items, { includeObject: req.query.get("includeObject") ?? undefined, listMeta }), "application/json");
    return;
  }
  if (wantsAs(req.headers, "PartialObjectMetadataList")) {
    send(res, 200, { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata: listMeta, items: items.map(partialMetadata) });
    return;
  }
  send(res, 200, { kind: `${t.rt.kind}List`, apiVersion: apiVersionOf(t.rt), metadata: listMeta, items: items.map((o) => withVersion(t.rt, o)) });
}

function watch(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const q = req.query;
  const table = wantsAs(req.headers, "Table");
  let first = true;
  serveWatch({
    store: ctx.cluster.store,
    filter: filterFor(t, q),
    res,
    rv: q.get("resourceVersion") ?? undefined,
    sendInitialEvents: q.get("sendInitialEvents") === "true",
    allowBookmarks: q.get("allowWatchBookmarks") === "true",
    timeoutSeconds: Number(q.get("timeoutSeconds") ?? 1800),
    bookmarkIntervalMs: ctx.bookmarkIntervalMs,
    hub: ctx.hub,
    render: (o) => {
      if (!table) return withVersion(t.rt, o);
      const out = toTable(t.rt, [o], { includeObject: q.get("includeObject") ?? undefined, withColumns: first });
      first = false;
      return out;
    },
    bookmark: (rv, initialEnd) => ({
      kind: t.rt.kind,
      apiVersion: apiVersionOf(t.rt),
      metadata: { resourceVersion: String(rv), ...(initialEnd ? { annotations: { "k8s.io/initial-events-end": "true" } } : {}) },
    }),
  });
}

function scaleOf(rt: ResourceType, o: KObject): Obj {
  const scale = rt.scale;
  const selector = scale?.labelSelectorPath ? readJsonPath(o, scale.labelSelectorPath) : undefined;
  const specSelector = readJsonPath(o, ".spec.selector");
  const matchLabels = isObj(specSelector) && isObj(specSelector.matchLabels) ? specSelector.matchLabels : {};
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: Number(readJsonPath(o, scale?.specReplicasPath ?? ".spec.replicas") ?? 0) },
    status: {
      replicas: Number(readJsonPath(o, scale?.statusReplicasPath ?? ".status.replicas") ?? 0),
      selector: typeof selector === "string" ? selector : Object.entries(matchLabels).map(([k, v]) => `${k}=${String(v)}`).join(","),
    },
  };
}

function setReplicas(rt: ResourceType, o: KObject, replicas: number): KObject {
  const next = clone(o);
  const path = (rt.scale?.specReplicasPath ?? ".spec.replicas").replace(/^\./, "").split(".");
  let cur: Obj = next;
  for (const p of path.slice(0, -1)) cur = (isObj(cur[p]) ? cur[p] : (cur[p] = {})) as Obj;
  cur[path[path.length - 1]] = replicas;
  return next;
}

function handleScale(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const { cluster } = ctx;
  const name = t.name ?? "";
  const o = cluster.get(t.rt, t.ns, name);
  if (req.method === "GET") return send(res, 200, scaleOf(t.rt, o));
  let desired: unknown;
  if (req.method === "PUT") {
    const body = decodeBody(req, false);
    desired = readJsonPath(body, ".spec.replicas");
    const rv = readJsonPath(body, ".metadata.resourceVersion");
    if (typeof rv === "string" && rv && rv !== o.metadata.resourceVersion) {
      throw errors.conflict(t.rt, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
  } else if (req.method === "PATCH") {
    const type = patchTypes[String(req.headers["content-type"] ?? "").split(";")[0]];
    if (!type || type === "apply") throw errors.unsupportedMedia(String(req.headers["content-type"]));
    const patched = clone(scaleOf(t.rt, o));
    const body = decodeBody(req, true);
    const result = type === "json" ? jsonPatch(patched, body) : type === "merge" ? mergePatch(patched, body) : strategicMerge(patched, body);
    desired = readJsonPath(result, ".spec.replicas");
  } else throw errors.methodNotAllowed(`${req.method} is not supported on scale`);
  if (typeof desired !== "number" || desired < 0) throw errors.invalid("Scale", "autoscaling", name, [{ field: "spec.replicas", message: "Invalid value: must be greater than or equal to 0" }]);
  const updated = cluster.update(t.rt, t.ns, name, setReplicas(t.rt, o, desired), writeOptions(req));
  send(res, 200, scaleOf(t.rt, updated));
}

function deleteOptions(req: ApiRequest): { propagationPolicy?: string; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean } {
  const body = req.body.length ? decodeBody(req, false) : {};
  const b = isObj(body) ? body : {};
  const orphan = req.query.get("orphanDependents") === "true" || b.orphanDependents === true;
  const policy = req.query.get("propagationPolicy") ?? (typeof b.propagationPolicy === "string" ? b.propagationPolicy : undefined);
  return {
    propagationPolicy: orphan ? "Orphan" : policy,
    preconditions: isObj(b.preconditions) ? (b.preconditions as { uid?: string; resourceVersion?: string }) : undefined,
    dryRun: req.query.has("dryRun") || Array.isArray(b.dryRun),
  };
}

function deleted(rt: ResourceType, o: KObject) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: o.metadata.name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural, uid: o.metadata.uid } };
}

function handleResource(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const { cluster } = ctx;
  const { rt, ns } = t;
  const name = t.name;
  if (t.sub === "scale" && rt.scale && name) return handleScale(ctx, t, req, res);
  const sub = t.sub;
  if (sub && !((sub === "status" && rt.status) || (sub === "finalize" && rt.kind === "Namespace"))) throw errors.pathNotFound();
  const isWatch = t.legacyWatch || req.query.get("watch") === "true" || req.query.get("watch") === "1";
  switch (req.method) {
    case "GET": {
      if (!name || isWatch) {
        if (name) return watch(ctx, { ...t, name: undefined }, withNameSelector(req, name), res);
        return isWatch ? watch(ctx, t, req, res) : list(ctx, t, req, res);
      }
      const o = cluster.get(rt, ns, name);
      if (wantsAs(req.headers, "Table")) return send(res, 200, toTable(rt, [o], { includeObject: req.query.get("includeObject") ?? undefined }));
      return send(res, 200, withVersion(rt, o));
    }
    case "POST": {
      if (name) throw errors.methodNotAllowed(`POST is not supported on a named ${rt.plural}`);
      const opts = writeOptions(req);
      const o = cluster.create(rt, ns, decodeBody(req, false), opts);
      return send(res, 201, withVersion(rt, o), "application/json", opts.warnings);
    }
    case "PUT": {
      if (!name) throw errors.methodNotAllowed("PUT requires a name");
      const opts = { ...writeOptions(req), subresource: sub === "status" ? "status" : undefined };
      let body = decodeBody(req, false);
      if (sub === "finalize") {
        const current = cluster.get(rt, ns, name);
        body = { ...clone(current), spec: { ...(isObj(current.spec) ? current.spec : {}), finalizers: readJsonPath(body, ".spec.finalizers") ?? [] } };
      }
      const o = cluster.update(rt, ns, name, body, opts);
      return send(res, 200, withVersion(rt, o), "application/json", opts.warnings);
    }
    case "PATCH": {
      if (!name) throw errors.methodNotAllowed("PATCH requires a name");
      const ct = String(req.headers["content-type"] ?? "").split(";")[0].trim();
      const type = patchTypes[ct];
      if (!type || (type === "strategic" && rt.crd)) {
        throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${rt.crd ? "" : ", application/strategic-merge-patch+json"}`);
      }
      const opts = { ...writeOptions(req), subresource: sub === "status" ? "status" : undefined, force: req.query.get("force") === "true" };
      if (type === "apply" && !req.query.get("fieldManager")) throw errors.badRequest("PATCH requests with apply content type require a fieldManager query parameter");
      const existed = cluster.find(rt, ns, name) !== undefined;
      const o = cluster.patch(rt, ns, name, type, decodeBody(req, true), opts);
      return send(res, existed ? 200 : 201, withVersion(rt, o), "application/json", opts.warnings);
    }
    case "DELETE": {
      if (!name) {
        const filter = filterFor(t, req.query);
        const opts = deleteOptions(req);
        const items = cluster.list(rt, ns).filter((o) => matches(filter, o));
        for (const o of items) cluster.delete(rt, o.metadata.namespace, o.metadata.name ?? "", opts);
        return send(res, 200, { kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata: { resourceVersion: String(cluster.store.currentRv) }, items });
      }
      const { obj, gone } = cluster.delete(rt, ns, name, deleteOptions(req));
      return send(res, 200, gone && rt.kind !== "Namespace" ? deleted(rt, obj) : withVersion(rt, obj));
    }
    default:
      throw errors.methodNotAllowed(`${req.method} is not supported`);
  }
}

function withNameSelector(req: ApiRequest, name: string): ApiRequest {
  const query = new URLSearchParams(req.query);
  const fs = query.get("fieldSelector");
  query.set("fieldSelector", fs ? `${fs},metadata.name=${name}` : `metadata.name=${name}`);
  return { ...req, query };
}

function discovery(ctx: ApiContext, segs: string[], req: ApiRequest, res: ServerResponse): boolean {
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
export function handleApi(ctx: ApiContext, req: ApiRequest, res: ServerResponse): void {
  try {
    const path = req.path.replace(/\/+$/, "") || "/";
    if (req.method === "GET" && path === "/version") return send(res, 200, ctx.version);
    if (req.method === "GET" && ["/healthz", "/livez", "/readyz"].includes(path)) {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return;
    }
    if (req.method === "GET" && path === "/openapi/v2") {
      res.writeHead(200, { "Content-Type": "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" });
      res.end(openApiV2(ctx.cluster.registry));
      return;
    }
    if (req.method === "GET" && path === "/openapi/v3") return send(res, 200, openApiIndex(ctx.cluster.registry));
    if (req.method === "GET" && path.startsWith("/openapi/v3/")) {
      const gv = parseOpenApiPath(path.slice("/openapi/v3/".length));
      if (!gv || !ctx.cluster.registry.groupVersions().some((g) => g.group === gv.group && g.versions.includes(gv.version))) throw errors.pathNotFound();
      return send(res, 200, openApiGroupVersion(ctx.cluster.registry, gv.group, gv.version));
    }
    const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (req.method === "GET" && discovery(ctx, segs, req, res)) return;
    if (segs[0] === "api" && segs.length >= 3) return handleResource(ctx, resolve(ctx, "", segs[1], segs.slice(2)), req, res);
    if (segs[0] === "apis" && segs.length >= 4) return handleResource(ctx, resolve(ctx, segs[1], segs[2], segs.slice(3)), req, res);
    throw errors.pathNotFound();
  } catch (e) {
    if (!res.headersSent) sendError(res, e);
    else res.destroy();
  }
}
