import type { ServerResponse } from "node:http";
import type { ApiContext } from "./apicontext";
import { ApiError } from "./errors";
import { authorize } from "./rbac";
import type { Attributes } from "./requestinfo";
import { type ApiRequest, decodeBody, send } from "./request";
import { isObj, nowIso, str, type Obj } from "./types";

const pick = (o: Obj, keys: string[]): Obj =>
  Object.fromEntries(keys.filter((k) => typeof o[k] === "string" && o[k] !== "").map((k) => [k, o[k]]));

/** Go's %#v of the internal NonResourceAttributes, as field.Invalid prints a struct value. */
const goStruct = (n: Obj) =>
  `authorization.NonResourceAttributes{Path:${JSON.stringify(str(n.path))}, Verb:${JSON.stringify(str(n.verb))}}`;

/** errors.NewInvalid for the kind authorization.k8s.io SelfSubjectAccessReview, which has no name. */
function invalid(field: string, message: string): ApiError {
  return new ApiError(
    422,
    "Invalid",
    `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: ${field}: ${message}`,
    {
      group: "authorization.k8s.io",
      kind: "SelfSubjectAccessReview",
      causes: [{ reason: "FieldValueInvalid", message, field }],
    },
  );
}

/**
 * POST authorization.k8s.io/v1 selfsubjectaccessreviews (pkg/registry/authorization/selfsubjectaccessreview/
 * rest.go): asks the API's own authorizer whether the requesting user, after impersonation, may do what the spec
 * describes (pkg/registry/authorization/util/helpers.go ResourceAttributesFrom / NonResourceAttributesFrom), and
 * answers 201 with the review and its status. Exactly one of resourceAttributes and nonResourceAttributes is
 * required, with the wording of pkg/apis/authorization/validation.
 */
export function createSelfSubjectAccessReview(ctx: ApiContext, req: ApiRequest, res: ServerResponse): void {
  const body = decodeBody(req, false);
  const spec = isObj(body) && isObj(body.spec) ? body.spec : {};
  const resource = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (resource && nonResource) {
    throw invalid(
      "spec.nonResourceAttributes",
      `Invalid value: ${goStruct(nonResource)}: cannot be specified in combination with resourceAttributes`,
    );
  }
  if (!resource && !nonResource) {
    throw invalid(
      "spec.resourceAttributes",
      'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  }
  const a: Attributes = resource
    ? {
        user: req.user,
        verb: str(resource.verb),
        resourceRequest: true,
        path: "",
        namespace: str(resource.namespace),
        apiGroup: str(resource.group),
        apiVersion: str(resource.version) || "*",
        resource: str(resource.resource),
        subresource: str(resource.subresource),
        name: str(resource.name),
      }
    : {
        user: req.user,
        verb: str(nonResource?.verb),
        resourceRequest: false,
        path: str(nonResource?.path),
        namespace: "",
        apiGroup: "",
        apiVersion: "",
        resource: "",
        subresource: "",
        name: "",
      };
  const decision = authorize(ctx.cluster, a);
  const echoed = resource
    ? {
        resourceAttributes: pick(resource, [
          "namespace",
          "verb",
          "group",
          "version",
          "resource",
          "subresource",
          "name",
        ]),
      }
    : { nonResourceAttributes: pick(nonResource ?? {}, ["path", "verb"]) };
  send(res, 201, {
    kind: "SelfSubjectAccessReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: { creationTimestamp: null },
    spec: echoed,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  });
}

/**
 * POST authentication.k8s.io/v1 selfsubjectreviews (pkg/registry/authentication/selfsubjectreview/rest.go):
 * the user the request acts as after impersonation, what `kubectl auth whoami` prints.
 */
export function createSelfSubjectReview(req: ApiRequest, res: ServerResponse): void {
  const { name, uid, groups, extra } = req.user;
  send(res, 201, {
    kind: "SelfSubjectReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: nowIso() },
    status: {
      userInfo: {
        username: name,
        ...(uid ? { uid } : {}),
        groups,
        ...(extra && Object.keys(extra).length ? { extra } : {}),
      },
    },
  });
}
