import type { ServerResponse } from "node:http";
import { type ApiContext, podLocation, type Target, withVersion } from "./apicontext";
import { serveDiscovery } from "./discovery";
import { ApiError, errors } from "./errors";
import { serveLog } from "./logs";
import { createSelfSubjectAccessReview, createSelfSubjectReview } from "./selfreviews";
import { openApiGroupVersion, openApiIndex, parseOpenApiPath } from "./openapi";
import { openApiV2 } from "./openapiv2";
import { list, filterFor, watch } from "./reads";
import { apiVersionOf, type ResourceType } from "./registry";
import {
  type ApiRequest,
  decodeBody,
  deleteOptions,
  patchTypes,
  send,
  sendError,
  wantsAs,
  writeOptions,
} from "./request";
import { handleScale } from "./scale";
import { toTable } from "./table";
import { clone, isObj, readJsonPath, type KObject } from "./types";
import { matches } from "./watch";

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

function deleted(rt: ResourceType, o: KObject) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name: o.metadata.name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural, uid: o.metadata.uid },
  };
}

function handleResource(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const { cluster } = ctx;
  const { rt, ns } = t;
  const name = t.name;
  if (t.sub === "scale" && rt.scale && name) return handleScale(ctx, t, req, res);
  if (rt.kind === "SelfSubjectAccessReview" || rt.kind === "SelfSubjectReview") {
    if (req.method !== "POST" || name)
      throw new ApiError(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        {},
      );
    return rt.kind === "SelfSubjectReview"
      ? createSelfSubjectReview(req, res)
      : createSelfSubjectAccessReview(ctx, req, res);
  }
  if (t.sub === "log" && rt.kind === "Pod" && name && req.method === "GET") {
    // vcluster's syncer sends a virtual pod's log request to its host pod (pkg/server/filters/redirect.go)
    const at = podLocation(ctx, ns ?? "", name);
    return serveLog(at.cluster.logs, at.cluster.get(at.cluster.rt("", "pods"), at.ns, at.name), req.query, res);
  }
  const sub = t.sub;
  if (sub && !((sub === "status" && rt.status) || (sub === "finalize" && rt.kind === "Namespace")))
    throw errors.pathNotFound();
  const isWatch = t.legacyWatch || req.query.get("watch") === "true" || req.query.get("watch") === "1";
  switch (req.method) {
    case "GET": {
      if (!name || isWatch) {
        if (name) return watch(ctx, { ...t, name: undefined }, withNameSelector(req, name), res);
        return isWatch ? watch(ctx, t, req, res) : list(ctx, t, req, res);
      }
      const o = cluster.get(rt, ns, name);
      if (wantsAs(req.headers, "Table"))
        return send(res, 200, toTable(rt, [o], { includeObject: req.query.get("includeObject") ?? undefined }));
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
        body = {
          ...clone(current),
          spec: {
            ...(isObj(current.spec) ? current.spec : {}),
            finalizers: readJsonPath(body, ".spec.finalizers") ?? [],
          },
        };
      }
      const o = cluster.update(rt, ns, name, body, opts);
      return send(res, 200, withVersion(rt, o), "application/json", opts.warnings);
    }
    case "PATCH": {
      if (!name) throw errors.methodNotAllowed("PATCH requires a name");
      const ct = String(req.headers["content-type"] ?? "")
        .split(";")[0]
        .trim();
      const type = patchTypes[ct];
      if (!type || (type === "strategic" && rt.crd)) {
        throw new ApiError(
          415,
          "UnsupportedMediaType",
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${rt.crd ? "" : ", application/strategic-merge-patch+json"}`,
        );
      }
      const opts = {
        ...writeOptions(req),
        subresource: sub === "status" ? "status" : undefined,
        force: req.query.get("force") === "true",
      };
      if (type === "apply" && !req.query.get("fieldManager"))
        throw errors.badRequest("PATCH requests with apply content type require a fieldManager query parameter");
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
        return send(res, 200, {
          kind: `${rt.kind}List`,
          apiVersion: apiVersionOf(rt),
          metadata: { resourceVersion: String(cluster.store.currentRv) },
          items,
        });
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
      if (
        !gv ||
        !ctx.cluster.registry.groupVersions().some((g) => g.group === gv.group && g.versions.includes(gv.version))
      )
        throw errors.pathNotFound();
      return send(res, 200, openApiGroupVersion(ctx.cluster.registry, gv.group, gv.version));
    }
    const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (req.method === "GET" && serveDiscovery(ctx, segs, req, res)) return;
    if (segs[0] === "api" && segs.length >= 3)
      return handleResource(ctx, resolve(ctx, "", segs[1], segs.slice(2)), req, res);
    if (segs[0] === "apis" && segs.length >= 4)
      return handleResource(ctx, resolve(ctx, segs[1], segs[2], segs.slice(3)), req, res);
    throw errors.pathNotFound();
  } catch (e) {
    if (!res.headersSent) sendError(res, e);
    else res.destroy();
  }
}
