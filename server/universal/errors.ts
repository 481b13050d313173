/**
 * The domain's one error type. Services and adapters throw it; the API layer maps `code` to a transport status in
 * one table (server/api/error-map.ts). Messages are for the user: they name the field and the rule.
 */
export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "INVALID",
  "PRECONDITION_FAILED",
  "QUOTA_EXCEEDED",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "NOT_AVAILABLE",
  "TIMEOUT",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  /** dotted path of the offending input field, e.g. `spec.resources.cpuLimit` */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[];
  /** seconds after which a retry may succeed (rate limits) */
  readonly retryAfter?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: FieldIssue[]; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.issues = options.issues ?? [];
    this.retryAfter = options.retryAfter;
  }
}

export function invalidField(field: string, message: string): AppError {
  return new AppError("INVALID", `${field}: ${message}`, { issues: [{ field, message }] });
}

export function notFound(what: string): AppError {
  return new AppError("NOT_FOUND", `${what} not found`);
}
