import { GatewayRefusal } from "./status";

/**
 * What a Kubernetes request does, derived from its method and path as kube-apiserver's RequestInfoFactory does
 * (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): the verb, API group, resource, subresource, namespace
 * and name, for audit rows and for telling long-running requests (watches, streams) from short ones.
 */

export interface KubeRequestInfo {
  isResourceRequest: boolean;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const MUTATING = new Set(["create", "update", "patch", "delete", "deletecollection"]);
const CONNECT = new Set(["exec", "attach", "portforward", "proxy"]);

export function requestInfo(method: string, path: string, query: URLSearchParams): KubeRequestInfo {
  const info: KubeRequestInfo = {
    isResourceRequest: false,
    verb: method.toLowerCase(),
    apiGroup: "",
    resource: "",
    subresource: "",
    namespace: "",
    name: "",
  };
  let parts = path.split("/").filter(Boolean);
  if (parts[0] === "api" && parts.length >= 2) parts = parts.slice(2);
  else if (parts[0] === "apis" && parts.length >= 3) {
    info.apiGroup = parts[1];
    parts = parts.slice(3);
  } else return info;
  info.isResourceRequest = true;
  let watchPath = false;
  if (parts[0] === "watch") {
    watchPath = true;
    parts = parts.slice(1);
  }
  if (parts[0] === "namespaces" && parts.length >= 3) {
    info.namespace = parts[1];
    parts = parts.slice(2);
  } else if (parts[0] === "namespaces" && parts.length === 2) {
    info.namespace = parts[1];
  }
  [info.resource = "", info.name = "", info.subresource = ""] = parts;
  const collection = info.name === "";
  const verbs: Record<string, string> = {
    POST: "create",
    GET: "get",
    HEAD: "get",
    PUT: "update",
    PATCH: "patch",
    DELETE: "delete",
  };
  info.verb = verbs[method.toUpperCase()] ?? method.toLowerCase();
  if (info.verb === "get" && collection) info.verb = "list";
  if (info.verb === "delete" && collection) info.verb = "deletecollection";
  const watchParam = query.get("watch");
  if (watchPath || (info.verb === "list" && (watchParam === "true" || watchParam === "1"))) info.verb = "watch";
  return info;
}

export const isMutating = (info: KubeRequestInfo) => MUTATING.has(info.verb) || CONNECT.has(info.subresource);

/** Requests that may stay open as long as they like (apiserver's long-running check). */
export function isLongRunning(info: KubeRequestInfo, query: URLSearchParams): boolean {
  return (
    info.verb === "watch" ||
    CONNECT.has(info.subresource) ||
    (info.subresource === "log" && query.get("follow") === "true")
  );
}

/** `pods/log` in `default`: the object of an audit row. */
export function describeTarget(info: KubeRequestInfo, path: string): string {
  if (!info.isResourceRequest) return path;
  const resource = [info.apiGroup ? `${info.resource}.${info.apiGroup}` : info.resource, info.subresource]
    .filter(Boolean)
    .join("/");
  return [info.namespace, resource, info.name].filter(Boolean).join(" ");
}

export const GATEWAY_PREFIX = "/kube/";

/** Where a gateway request goes: `/kube/<vcluster id>/<path the virtual API serves>`. */
export interface GatewayPath {
  vclusterId: string;
  path: string;
  search: string;
  query: URLSearchParams;
}

export function parseGatewayPath(url: string): GatewayPath {
  const target = new URL(url, "http://gateway");
  const rest = target.pathname.slice(GATEWAY_PREFIX.length);
  const slash = rest.indexOf("/");
  const vclusterId = slash < 0 ? rest : rest.slice(0, slash);
  if (!/^[a-z0-9]{1,64}$/.test(vclusterId))
    throw new GatewayRefusal(
      "NotFound",
      "no vcluster at this address: the kubeconfig's server must be <portal>/kube/<vcluster id>",
    );
  return { vclusterId, path: slash < 0 ? "/" : rest.slice(slash), search: target.search, query: target.searchParams };
}
