import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { translateDbError } from "@/server/db/errors";
import { AppError, type ErrorCode, type FieldIssue } from "@/server/universal/errors";

/** The one table from domain error codes to tRPC codes. */
export const TRPC_CODE_OF: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INVALID: "BAD_REQUEST",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  QUOTA_EXCEEDED: "FORBIDDEN",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  NOT_AVAILABLE: "NOT_IMPLEMENTED",
  TIMEOUT: "TIMEOUT",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** Finds the domain error behind whatever a procedure threw, translating database errors on the way. */
export function toAppError(error: unknown): AppError | null {
  const cause = error instanceof TRPCError ? (error.cause ?? error) : error;
  const translated = translateDbError(cause);
  return translated instanceof AppError ? translated : null;
}

export function toTrpcError(error: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE_OF[error.code], message: error.message, cause: error });
}

export function issuesOfZodError(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(input)",
    message: issue.message,
  }));
}
