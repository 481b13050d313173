import { allAuthenticated, allUnauthenticated, anonymous, type UserInfo } from "./authn";
import { ApiError } from "./errors";
import { forbidden, type Decision } from "./rbac";
import type { Attributes } from "./requestinfo";

/** One thing a request asks to act as: a v1.ObjectReference of buildImpersonationRequests. */
interface Ref {
  kind: "User" | "ServiceAccount" | "Group" | "UserExtra" | "UID";
  namespace?: string;
  name: string;
  apiVersion?: string;
  fieldPath?: string;
}

const userHeader = "impersonate-user";
const groupHeader = "impersonate-group";
const uidHeader = "impersonate-uid";
const extraPrefix = "impersonate-extra-";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** k8s.io/apiserver/pkg/authentication/serviceaccount SplitUsername: system:serviceaccount:NS:NAME with valid names. */
function splitServiceAccount(user: string): { namespace: string; name: string } | undefined {
  const prefix = "system:serviceaccount:";
  if (!user.startsWith(prefix)) return undefined;
  const parts = user.slice(prefix.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  return namespace.length <= 63 && dnsLabel.test(namespace) && name.length <= 253 && dnsSubdomain.test(name)
    ? { namespace, name }
    : undefined;
}

/** url.PathUnescape, keeping the key as sent when it is not valid %-encoding. */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** Go's %v of a v1.ObjectReference: its seven string fields in declaration order, space-separated in braces. */
const formatRef = (r: Ref) =>
  `{${[r.kind, r.namespace ?? "", r.name, "", r.apiVersion ?? "", "", r.fieldPath ?? ""].join(" ")}}`;

/** The header list as Go's http.Header holds it: each header line a value, names case-insensitive. */
export type Headers = Record<string, string[] | undefined>;

function requests(headers: Headers): Ref[] {
  const refs: Ref[] = [];
  const user = headers[userHeader]?.[0] ?? "";
  if (user) {
    const sa = splitServiceAccount(user);
    refs.push(sa ? { kind: "ServiceAccount", ...sa } : { kind: "User", name: user });
  }
  for (const g of headers[groupHeader] ?? []) refs.push({ kind: "Group", name: g });
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(extraPrefix)) continue;
    const key = unescapeExtraKey(header.slice(extraPrefix.length).toLowerCase());
    for (const v of values ?? [])
      refs.push({ kind: "UserExtra", apiVersion: "authentication.k8s.io/v1", name: v, fieldPath: key });
  }
  const uid = headers[uidHeader]?.[0] ?? "";
  if (uid) refs.push({ kind: "UID", name: uid, apiVersion: "authentication.k8s.io/v1" });
  return refs;
}

export type Impersonation = { user: UserInfo } | { refused: ApiError } | { internalError: string };

/**
 * User impersonation as k8s.io/apiserver/pkg/endpoints/filters/impersonation.go does it
 * (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation): every requested
 * user, service account, group, extra value and UID must be authorized as verb "impersonate" on users,
 * serviceaccounts, groups, userextras/KEY or uids.authentication.k8s.io, or the request gets the Forbidden of the
 * first one refused. The new user has system:authenticated added unless the groups named either all-users group;
 * a service account without Impersonate-Group gets its service-account groups. Groups, extras or a UID without a
 * user are refused before any of that: apiserver up to 1.34 with a plain-text 500 ("Internal Server Error:
 * \"URI\": requested [...] without impersonating a user"), from 1.35 (filters/impersonation/impersonation.go)
 * with a 400 Status. Undefined when the request impersonates nobody.
 */
export function impersonate(
  requestor: UserInfo,
  headers: Headers,
  minor: number,
  requestUri: string,
  authorize: (a: Attributes) => Decision,
): Impersonation | undefined {
  const refs = requests(headers);
  if (refs.length === 0) return undefined;
  if (!refs.some((r) => r.kind === "User" || r.kind === "ServiceAccount")) {
    const message = `requested [${refs.map(formatRef).join(" ")}] without impersonating a user`;
    if (minor >= 35) return { refused: new ApiError(400, "BadRequest", message) };
    return {
      internalError: `Internal Server Error: ${JSON.stringify(requestUri)}: ${message}`
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;"),
    };
  }
  const groupsSpecified = (headers[groupHeader] ?? []).length > 0;
  let name = "";
  let uid = "";
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of refs) {
    const a: Attributes = {
      user: requestor,
      verb: "impersonate",
      resourceRequest: true,
      path: "",
      namespace: r.namespace ?? "",
      apiGroup: r.apiVersion ? "authentication.k8s.io" : "",
      apiVersion: r.apiVersion ? "v1" : "",
      resource: "",
      subresource: "",
      name: r.name,
    };
    switch (r.kind) {
      case "ServiceAccount":
        a.resource = "serviceaccounts";
        name = `system:serviceaccount:${r.namespace ?? ""}:${r.name}`;
        if (!groupsSpecified) groups = ["system:serviceaccounts", `system:serviceaccounts:${r.namespace ?? ""}`];
        break;
      case "User":
        a.resource = "users";
        name = r.name;
        break;
      case "Group":
        a.resource = "groups";
        groups.push(r.name);
        break;
      case "UserExtra":
        a.resource = "userextras";
        a.subresource = r.fieldPath ?? "";
        (extra[a.subresource] ??= []).push(r.name);
        break;
      case "UID":
        a.resource = "uids";
        uid = r.name;
        break;
    }
    const decision = authorize(a);
    if (!decision.allowed) return { refused: forbidden(a, decision.reason) };
  }
  if (name !== anonymous) {
    if (!groups.some((g) => g === allAuthenticated || g === allUnauthenticated)) groups.push(allAuthenticated);
  } else if (!groups.includes(allUnauthenticated)) groups.push(allUnauthenticated);
  return { user: { name, groups, ...(uid ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) } };
}

/** The request's headers without the impersonation ones, which the filter deletes before the request goes on. */
export function withoutImpersonation<T extends Record<string, unknown>>(headers: T): T {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([k]) =>
        ![userHeader, groupHeader, uidHeader].includes(k.toLowerCase()) && !k.toLowerCase().startsWith(extraPrefix),
    ),
  ) as T;
}
