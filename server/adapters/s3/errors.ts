/**
 * The one place where failures of S3 calls become AppErrors. Messages name the endpoint, the operation and the key,
 * and the S3 error code; never the SDK's own message, which can echo signing material (SignatureDoesNotMatch
 * carries the string to sign) or a URL with credentials.
 */
import { AppError } from "@/server/universal/errors";

export interface S3CallContext {
  /** how the store is named to users: `s3://bucket` at the endpoint's host */
  store: string;
  /** the operation and object, e.g. `upload of p1/vc1/snap/objects.ndjson.gz` */
  what: string;
}

const notFound = new Set(["NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchUpload"]);
const forbidden = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "AllAccessDisabled",
  "AccountProblem",
]);
const unavailable = new Set([
  "SlowDown",
  "ServiceUnavailable",
  "InternalError",
  "RequestTimeout",
  "RequestTimeTooSkewed",
  "ThrottlingException",
  "TimeoutError",
]);
const invalid = new Set([
  "InvalidBucketName",
  "KeyTooLongError",
  "EntityTooLarge",
  "EntityTooSmall",
  "InvalidPart",
  "InvalidPartOrder",
  "InvalidArgument",
  "InvalidRequest",
  "MalformedXML",
]);
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
  "ERR_STREAM_PREMATURE_CLOSE",
]);

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The HTTP status S3 answered with, when it answered. */
export function s3StatusCode(err: unknown): number | undefined {
  const status = field(field(err, "$metadata"), "httpStatusCode");
  return typeof status === "number" ? status : undefined;
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

/** Translates any failure of an S3 call into an AppError; AppErrors (e.g. from the uploaded stream) pass through. */
export function translateS3Error(err: unknown, ctx: S3CallContext): AppError {
  if (err instanceof AppError) return err;
  const name = field(err, "name");
  const code = typeof name === "string" && name !== "Error" ? name : undefined;
  const status = s3StatusCode(err);
  const at = `${ctx.what} in ${ctx.store}`;
  if (code === "NoSuchBucket")
    return new AppError("NOT_FOUND", `bucket of ${ctx.store} does not exist (${at})`, { cause: err });
  if ((code && notFound.has(code)) || status === 404)
    return new AppError("NOT_FOUND", `${at}: object not found`, { cause: err });
  if ((code && forbidden.has(code)) || status === 401 || status === 403) {
    return new AppError(
      "FORBIDDEN",
      `${ctx.store} refused the portal's S3 credentials (${code ?? `HTTP ${status}`}) for ${ctx.what}; check the access key and its policy`,
      { cause: err },
    );
  }
  if ((code && unavailable.has(code)) || status === 429 || (status !== undefined && status >= 500)) {
    return new AppError("UNAVAILABLE", `${ctx.store} is unavailable (${code ?? `HTTP ${status}`}) for ${ctx.what}`, {
      cause: err,
    });
  }
  if (code === "AbortError" || code === "RequestAbortedError")
    return new AppError("UNAVAILABLE", `${at} was aborted`, { cause: err });
  if ((code && invalid.has(code)) || status === 400)
    return new AppError("INVALID", `${ctx.store} rejected ${ctx.what} (${code ?? "HTTP 400"})`, { cause: err });
  if (code === "BucketAlreadyOwnedByYou")
    return new AppError("CONFLICT", `${at}: bucket already exists`, { cause: err });
  if (status === 409)
    return new AppError("CONFLICT", `${at} conflicts with a concurrent change (${code ?? "HTTP 409"})`, { cause: err });
  if (status === 412) return new AppError("PRECONDITION_FAILED", `${at}: precondition failed`, { cause: err });
  const network = networkCode(err);
  if (network)
    return new AppError("UNAVAILABLE", `${ctx.store} is unreachable (${network}) for ${ctx.what}`, { cause: err });
  return new AppError(
    "INTERNAL",
    `unexpected failure talking to ${ctx.store} for ${ctx.what}${status ? ` (HTTP ${status})` : ""}`,
    { cause: err },
  );
}
