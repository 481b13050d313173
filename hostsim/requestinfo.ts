import type { UserInfo } from "./authn";

/** What authorizers decide on: k8s.io/apiserver/pkg/authorization/authorizer.AttributesRecord. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** The request path, for non-resource requests. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

const specialVerbs = new Set(["proxy", "watch"]);
const namespaceSubresources = new Set(["status", "finalize"]);
const methodVerbs: Record<string, string> = {
  POST: "create",
  GET: "get",
  HEAD: "get",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

/** ListOptions' bool conversion (apimachinery Convert_Slice_string_To_bool): anything but "0" or "false" is true. */
function watchRequested(query: URLSearchParams): boolean {
  const v = query.getAll("watch");
  return v.length > 0 && v[0] !== "0" && v[0].toLowerCase() !== "false";
}

/** The name a list or watch narrows itself to with fieldSelector metadata.name=X (fields.RequiresExactMatch). */
function selectedName(query: URLSearchParams): string {
  for (const term of (query.get("fieldSelector") ?? "").split(",")) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    // path.IsValidPathSegmentName: the name must be usable as one path segment
    if (m && m[1] !== "." && m[1] !== ".." && !/[/%]/.test(m[1])) return m[1];
  }
  return "";
}

/**
 * Request attributes as k8s.io/apiserver/pkg/endpoints/request/requestinfo.go derives them: /api and /apis
 * paths with a resource are resource requests (verb from the method, or a /watch/ or /proxy/ prefix; a GET
 * without a name is list, or watch with ?watch; a DELETE without one deletecollection); namespaces/NAME/status
 * and /finalize stay subresources of the namespace; everything else is a non-resource path with the
 * lower-cased method as verb. Connect subresources (exec, attach, portforward) take the verb of their method.
 */
export function requestAttributes(user: UserInfo, method: string, rawPath: string, query: URLSearchParams): Attributes {
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // Go keeps a path it cannot unescape; so does this
  }
  const a: Attributes = {
    user,
    verb: method.toLowerCase(),
    resourceRequest: false,
    path,
    namespace: "",
    apiGroup: "",
    apiVersion: "",
    resource: "",
    subresource: "",
    name: "",
  };
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  let parts = trimmed ? trimmed.split("/") : [];
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) return a;
  const grouped = parts[0] === "apis";
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return a;
    a.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  a.resourceRequest = true;
  a.apiVersion = parts[0];
  parts = parts.slice(1);
  if (specialVerbs.has(parts[0]) && parts.length >= 2) {
    a.verb = parts[0];
    parts = parts.slice(1);
  } else {
    a.verb = methodVerbs[method.toUpperCase()] ?? "";
  }
  if (parts[0] === "namespaces" && parts.length > 1) {
    a.namespace = parts[1];
    if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2);
  }
  if (parts.length >= 3 && a.verb !== "proxy") a.subresource = parts[2];
  if (parts.length >= 2) a.name = parts[1];
  a.resource = parts[0] ?? "";
  if (!a.name && a.verb === "get") {
    a.verb = watchRequested(query) ? "watch" : "list";
    a.name = selectedName(query);
  }
  if (!a.name && a.verb === "delete") a.verb = "deletecollection";
  return a;
}
