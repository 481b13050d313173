/**
 * The one place where failures of calls to a host cluster become AppErrors. Messages name the host and the object,
 * never credentials: only the Kubernetes Status message is passed on, and only for requests the server refused.
 */
import { ApiException } from "@kubernetes/client-node";
import { AppError } from "@/server/universal/errors";

export interface HostCallContext {
  /** how the host is named to users: its registered name or its server address */
  host: string;
  /** the object or action concerned, e.g. `StatefulSet team-a/vc1` */
  what: string;
  /** the per-request timeout, to say how long the host was given */
  timeoutMs?: number;
}

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The HTTP status of a failed Kubernetes call, when the server answered. */
export function kubernetesStatusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  // client-node's Watch reports a refused watch as an Error with `statusCode`
  const statusCode = field(err, "statusCode");
  if (typeof statusCode === "number") return statusCode;
  const code = field(err, "code");
  const body = field(err, "body");
  return typeof code === "number" && code >= 100 && code < 600 && body !== undefined ? code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return kubernetesStatusCode(err) === 404 || (err instanceof AppError && err.code === "NOT_FOUND");
}

function statusMessage(err: unknown): string {
  let body = field(err, "body");
  if (typeof body === "string") {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return "";
    }
  }
  const message = field(body, "message");
  return typeof message === "string" ? message.slice(0, 500) : "";
}

function retryAfterSeconds(err: unknown): number | undefined {
  const headers = field(err, "headers");
  const value = field(headers, "retry-after") ?? field(headers, "Retry-After");
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = field(e, "cause"), depth++) {
    const code = field(e, "code") ?? field(e, "errno");
    if (typeof code === "string" && networkCodes.has(code)) return code;
    const message = field(e, "message");
    if (typeof message === "string" && /socket hang up/i.test(message)) return "ECONNRESET";
  }
  return undefined;
}

function isAbort(err: unknown): boolean {
  const name = field(err, "name");
  return name === "AbortError" || name === "TimeoutError" || field(err, "type") === "aborted";
}

/** Translates any failure of a call to a host cluster into an AppError; AppErrors pass through unchanged. */
export function translateKubernetesError(err: unknown, ctx: HostCallContext): AppError {
  if (err instanceof AppError) return err;
  const status = kubernetesStatusCode(err);
  const detail = statusMessage(err);
  const suffix = detail ? `: ${detail}` : "";
  if (status !== undefined) {
    if (status === 404) return new AppError("NOT_FOUND", `${ctx.what} not found on host ${ctx.host}`, { cause: err });
    if (status === 409)
      return new AppError("CONFLICT", `${ctx.what} on host ${ctx.host} conflicts with a concurrent change${suffix}`, {
        cause: err,
      });
    if (status === 401 || status === 403) {
      return new AppError(
        "FORBIDDEN",
        `host ${ctx.host} refused the portal's host credentials (HTTP ${status}) for ${ctx.what}; check the host cluster's kubeconfig and its RBAC permissions`,
        { cause: err },
      );
    }
    if (status === 400 || status === 422)
      return new AppError("INVALID", `host ${ctx.host} rejected ${ctx.what}${suffix}`, { cause: err });
    if (status === 429 || status >= 500) {
      return new AppError("UNAVAILABLE", `host ${ctx.host} is unavailable (HTTP ${status}) for ${ctx.what}${suffix}`, {
        cause: err,
        retryAfter: retryAfterSeconds(err),
      });
    }
    return new AppError("INTERNAL", `host ${ctx.host} answered HTTP ${status} for ${ctx.what}${suffix}`, {
      cause: err,
    });
  }
  if (isAbort(err)) {
    const within = ctx.timeoutMs ? ` within ${ctx.timeoutMs / 1000} s` : "";
    return new AppError("UNAVAILABLE", `host ${ctx.host} did not answer${within} for ${ctx.what}`, { cause: err });
  }
  const code = networkCode(err);
  if (code)
    return new AppError("UNAVAILABLE", `host ${ctx.host} is unreachable (${code}) for ${ctx.what}`, { cause: err });
  return new AppError("INTERNAL", `unexpected failure talking to host ${ctx.host} for ${ctx.what}`, { cause: err });
}
