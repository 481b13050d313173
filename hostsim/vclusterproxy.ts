import type { Cluster } from "./cluster";
import { authorize, type Decision } from "./rbac";
import type { Attributes } from "./requestinfo";

/** How long and for how many requests vcluster's proxy trusts an allowed SubjectAccessReview (pkg/authorization/delegatingauthorizer/cache.go). */
const cacheMs = 5_000;
const cacheSize = 256;

/** The requests the proxy sends to the host instead of the virtual apiserver (pkg/server/server.go redirectResources), plus creating Services. */
function delegated(a: Attributes): boolean {
  if (!a.resourceRequest) return false;
  if (a.verb === "impersonate") return true;
  if (a.apiGroup !== "") return false;
  if (a.resource === "pods") return ["portforward", "exec", "attach", "log"].includes(a.subresource);
  if (a.resource === "nodes") return a.subresource === "proxy";
  return a.resource === "services" && a.verb === "create" && a.subresource === "";
}

const cacheKey = (a: Attributes) =>
  [
    a.user.name,
    a.user.uid ?? "",
    a.user.groups.join(","),
    ...(a.resourceRequest
      ? [a.apiGroup, a.apiVersion, a.resource, a.subresource, a.verb, a.namespace, a.name]
      : [a.path, a.verb]),
  ].join("#");

/**
 * The authorizer of vcluster's syncer proxy in front of the virtual apiserver (pkg/server/server.go: union of the
 * delegating and impersonation authorizers, then allow-all): requests it redirects to the host and impersonation
 * are asked of the virtual apiserver with a SubjectAccessReview, whose allowed answers it keeps for 5 s; all other
 * requests pass to the virtual apiserver, which authorizes them with the user impersonated. Either way the
 * virtual cluster's own RBAC decides, so this is that RBAC with the proxy's cache.
 */
export function vclusterProxyAuthorizer(cluster: Cluster): (a: Attributes) => Decision {
  const allowedUntil = new Map<string, number>();
  return (a) => {
    if (!delegated(a)) return authorize(cluster, a);
    const key = cacheKey(a);
    if ((allowedUntil.get(key) ?? 0) > Date.now()) return { allowed: true, reason: "" };
    const d = authorize(cluster, a);
    allowedUntil.delete(key);
    if (d.allowed) allowedUntil.set(key, Date.now() + cacheMs);
    if (allowedUntil.size > cacheSize) allowedUntil.delete(allowedUntil.keys().next().value ?? "");
    // a SubjectAccessReview answers the decision, and the reason only when it refuses
    return d.allowed ? { allowed: true, reason: "" } : d;
  };
}
