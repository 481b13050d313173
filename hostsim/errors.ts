export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** A failure the API answers with a Kubernetes Status object. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusBody["details"],
  ) {
    super(message);
  }

  status(): StatusBody {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** Identifies a resource in messages the way the apiserver does: "deployments.apps". */
export interface GroupResource {
  group: string;
  plural: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.plural}.${gr.group}` : gr.plural;
}

function details(gr: GroupResource, name: string): StatusBody["details"] {
  return { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.plural };
}

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    new ApiError(404, "NotFound", `${qualified(gr)} "${name}" not found`, details(gr, name)),
  alreadyExists: (gr: GroupResource, name: string) =>
    new ApiError(409, "AlreadyExists", `${qualified(gr)} "${name}" already exists`, details(gr, name)),
  conflict: (gr: GroupResource, name: string, why: string) =>
    new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      details(gr, name),
    ),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) =>
    new ApiError(
      422,
      "Invalid",
      `${kind} "${name}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ")}`,
      { name, ...(group ? { group } : {}), kind, causes },
    ),
  badRequest: (message: string) => new ApiError(400, "BadRequest", message),
  forbidden: (gr: GroupResource, name: string, why: string) =>
    new ApiError(403, "Forbidden", `${qualified(gr)} "${name}" is forbidden: ${why}`, details(gr, name)),
  gone: (message: string) => new ApiError(410, "Expired", message),
  methodNotAllowed: (message: string) => new ApiError(405, "MethodNotAllowed", message),
  unsupportedMedia: (type: string) =>
    new ApiError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${type})`,
    ),
  unauthorized: () => new ApiError(401, "Unauthorized", "Unauthorized"),
  unavailable: (message: string) => new ApiError(503, "ServiceUnavailable", message),
  internal: (message: string) => new ApiError(500, "InternalError", message),
  pathNotFound: () => new ApiError(404, "NotFound", "the server could not find the requested resource"),
};
