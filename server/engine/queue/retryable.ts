import { AppError, type ErrorCode } from "@/server/universal/errors";

const RETRYABLE: ErrorCode[] = ["UNAVAILABLE", "TIMEOUT", "CONFLICT", "RATE_LIMITED"];

/** Whether another attempt may go differently: a host or database that is busy or away, not a refusal. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof AppError) || RETRYABLE.includes(error.code);
}
