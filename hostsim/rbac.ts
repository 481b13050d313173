import { systemMasters } from "./authn";
import type { Cluster } from "./cluster";
import { ApiError } from "./errors";
import type { Attributes } from "./requestinfo";
import { objs, str, type KObject, type Obj } from "./types";

export interface Decision {
  allowed: boolean;
  reason: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A rule's match against one request, as plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows and pkg/apis/rbac/v1/evaluation_helpers.go. */
function ruleAllows(a: Attributes, rule: Obj): boolean {
  const verbs = strings(rule.verbs);
  if (!verbs.includes("*") && !verbs.includes(a.verb)) return false;
  if (!a.resourceRequest) {
    return strings(rule.nonResourceURLs).some(
      (u) => u === "*" || u === a.path || (u.endsWith("*") && a.path.startsWith(u.replace(/\*+$/, ""))),
    );
  }
  const groups = strings(rule.apiGroups);
  if (!groups.includes("*") && !groups.includes(a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceMatch = strings(rule.resources).some(
    (r) => r === "*" || r === combined || (a.subresource !== "" && r === `*/${a.subresource}`),
  );
  const names = strings(rule.resourceNames);
  return resourceMatch && (names.length === 0 || names.includes(a.name));
}

/** Go's utilerrors.NewAggregate(...).Error(): one message alone, several distinct ones as "[a, b]". */
function aggregate(errs: string[]): string {
  const distinct = [...new Set(errs)];
  return distinct.length === 1 ? distinct[0] : `[${distinct.join(", ")}]`;
}

function describeSubject(s: Obj, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount")
    return `ServiceAccount ${JSON.stringify(`${str(s.name)}/${str(s.namespace) || bindingNamespace}`)}`;
  return `${str(s.kind)} ${JSON.stringify(str(s.name))}`;
}

/** pkg/registry/rbac/validation/rule.go appliesToUser. */
function appliesTo(a: Attributes, s: Obj, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return a.user.name === s.name;
    case "Group":
      return a.user.groups.includes(str(s.name));
    case "ServiceAccount": {
      const ns = str(s.namespace) || bindingNamespace;
      return ns !== "" && a.user.name === `system:serviceaccount:${ns}:${str(s.name)}`;
    }
    default:
      return false;
  }
}

/**
 * The RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go over pkg/registry/rbac/validation/rule.go
 * VisitRulesFor): ClusterRoleBindings, then the RoleBindings of the request's namespace, each resolved to its
 * role's rules at request time. A binding to a role that does not exist contributes its lister error to the
 * reason ("RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found").
 */
function rbacAuthorize(cluster: Cluster, a: Attributes): Decision {
  const errs: string[] = [];
  const rulesOf = (ref: Obj, bindingNamespace: string): Obj[] | undefined => {
    const kind = str(ref.kind);
    const plural = kind === "ClusterRole" ? "clusterroles" : kind === "Role" ? "roles" : "";
    if (!plural) {
      errs.push(`unsupported role reference kind: ${JSON.stringify(kind)}`);
      return undefined;
    }
    const role = cluster.find(
      cluster.rt("rbac.authorization.k8s.io", plural),
      bindingNamespace || undefined,
      str(ref.name),
    );
    if (!role) errs.push(`${kind.toLowerCase()}.rbac.authorization.k8s.io ${JSON.stringify(str(ref.name))} not found`);
    return role && objs(role.rules);
  };
  const visit = (bindings: KObject[], bindingNamespace: string): string | undefined => {
    for (const b of bindings) {
      const subject = objs(b.subjects).find((s) => appliesTo(a, s, bindingNamespace));
      if (!subject) continue;
      const ref = (b.roleRef ?? {}) as Obj;
      const rules = rulesOf(ref, bindingNamespace);
      if (!rules?.some((r) => ruleAllows(a, r))) continue;
      const kind = bindingNamespace ? "RoleBinding" : "ClusterRoleBinding";
      const name = bindingNamespace ? `${b.metadata.name ?? ""}/${bindingNamespace}` : (b.metadata.name ?? "");
      return `RBAC: allowed by ${kind} ${JSON.stringify(name)} of ${str(ref.kind)} ${JSON.stringify(str(ref.name))} to ${describeSubject(subject, bindingNamespace)}`;
    }
    return undefined;
  };
  const allowed =
    visit(cluster.list(cluster.rt("rbac.authorization.k8s.io", "clusterrolebindings")), "") ??
    (a.namespace
      ? visit(cluster.list(cluster.rt("rbac.authorization.k8s.io", "rolebindings"), a.namespace), a.namespace)
      : undefined);
  if (allowed) return { allowed: true, reason: allowed };
  return { allowed: false, reason: errs.length ? `RBAC: ${aggregate(errs)}` : "" };
}

/**
 * kube-apiserver's authorizer chain for --authorization-mode=Node,RBAC: the system:masters group first
 * (k8s.io/apiserver/pkg/authorization/authorizerfactory/builtin.go NewPrivilegedGroups, added by
 * pkg/kubeapiserver/authorizer), then RBAC; the Node authorizer has no opinion on anyone but kubelets. It reads
 * the cluster's own store, so a changed binding counts from the next request on.
 */
export function authorize(cluster: Cluster, a: Attributes): Decision {
  if (a.user.groups.includes(systemMasters)) return { allowed: true, reason: "" };
  return rbacAuthorize(cluster, a);
}

/** responsewriters' sanitizer: nothing in a refusal may look like HTML. */
const sanitize = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The 403 the apiserver writes (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
 * ForbiddenStatusError with apimachinery's errors.NewForbidden): `secrets "x" is forbidden: User "u" cannot get
 * resource "secrets" in API group "" in the namespace "ns"`, `… at the cluster scope`, or for a path
 * `forbidden: User "u" cannot get path "/foo"`; the authorizer's reason follows after ": ".
 */
export function forbidden(a: Attributes, reason: string): ApiError {
  const user = JSON.stringify(a.user.name);
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = !a.resourceRequest
    ? `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`
    : `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : "at the cluster scope"}`;
  const err = reason ? `${sanitize(what)}: ${reason}` : sanitize(what);
  return forbiddenResource(a.apiGroup, a.resource, a.name, err);
}

/** apimachinery errors.NewForbidden: the message names the group resource (and object) the refusal is about. */
export function forbiddenResource(group: string, resource: string, name: string, err: string): ApiError {
  const gr = group ? `${resource}.${group}` : resource;
  const message = !gr
    ? `forbidden: ${err}`
    : name
      ? `${gr} ${JSON.stringify(name)} is forbidden: ${err}`
      : `${gr} is forbidden: ${err}`;
  return new ApiError(403, "Forbidden", message, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    ...(resource ? { kind: resource } : {}),
  });
}
