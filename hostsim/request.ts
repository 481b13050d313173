import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import YAML from "yaml";
import type { UserInfo } from "./authn";
import type { DeleteOptions, PatchType, WriteOptions } from "./cluster";
import { ApiError, errors } from "./errors";
import { decodeProtobuf } from "./protobuf";
import { isObj } from "./types";

/** An HTTP request to one cluster's API, with the body read and the user it acts as (after impersonation). */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  user: UserInfo;
}

export function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = "application/json",
  warnings: string[] = [],
): void {
  const headers: Record<string, string | string[]> = { "Content-Type": contentType };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
  send(res, err.code, err.status());
}

export function mediaTypes(accept: string | undefined): string[] {
  return (accept ?? "").split(",").map((s) => s.trim().replace(/\s+/g, ""));
}

export function wantsAs(headers: IncomingHttpHeaders, as: string): boolean {
  return mediaTypes(headers.accept).some((m) => m.includes(`as=${as}`) && m.includes("g=meta.k8s.io"));
}

export function decodeBody(req: ApiRequest, patch: boolean): unknown {
  const type = String(req.headers["content-type"] ?? "application/json")
    .split(";")[0]
    .trim();
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

export const patchTypes: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

export function writeOptions(req: ApiRequest): WriteOptions {
  const ua = String(req.headers["user-agent"] ?? "");
  return {
    fieldManager: req.query.get("fieldManager") ?? (ua.split("/")[0] || "unknown"),
    fieldValidation: req.query.get("fieldValidation") ?? "Warn",
    dryRun: req.query.has("dryRun"),
    warnings: [],
  };
}

/** DeleteOptions from the query and the body, as client-go and kubectl send them. */
export function deleteOptions(req: ApiRequest): DeleteOptions {
  const body = req.body.length ? decodeBody(req, false) : {};
  const b = isObj(body) ? body : {};
  const orphan = req.query.get("orphanDependents") === "true" || b.orphanDependents === true;
  const policy =
    req.query.get("propagationPolicy") ?? (typeof b.propagationPolicy === "string" ? b.propagationPolicy : undefined);
  return {
    propagationPolicy: orphan ? "Orphan" : policy,
    preconditions: isObj(b.preconditions) ? (b.preconditions as { uid?: string; resourceVersion?: string }) : undefined,
    dryRun: req.query.has("dryRun") || Array.isArray(b.dryRun),
  };
}
