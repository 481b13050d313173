import { Prisma } from "@/server/generated/prisma/client";
import { AppError } from "@/server/universal/errors";

const UNREACHABLE = "the database is not reachable right now; try again";

/**
 * pg's own connection failures have no code, and @prisma/adapter-pg (convertDriverError, 7.10) passes on as they are
 * errors that are neither socket, TLS nor server errors, so they arrive as plain Errors with these messages
 * (pg 8 lib/client.js, pg-pool 3 index.js). A proxy or a server that accepts the connection and then drops it
 * produces them rather than ECONNREFUSED (P1001).
 */
const PG_CONNECTION_LOST = new Set([
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
]);

/** SQLSTATE classes 08 (connection exception) and 57P0x (the server shutting down or starting) */
const isUnavailableSqlState = (code: string | undefined) =>
  !!code && (code.startsWith("08") || /^57P0[1-3]$/.test(code));

/** Translates database errors into domain errors, once, for every caller. Unknown errors pass through unchanged. */
export function translateDbError(error: unknown): unknown {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    // PostgreSQL text cannot hold NUL characters; such input is the caller's mistake, not a server failure.
    if (postgresCodeOf(error) === "22021")
      return new AppError("INVALID", "text in the request may not contain NUL characters", { cause: error });
    if (isUnavailableSqlState(postgresCodeOf(error))) return new AppError("UNAVAILABLE", UNREACHABLE, { cause: error });
    switch (error.code) {
      case "P2002": {
        const target = (error.meta?.target as string[] | string | undefined) ?? "a unique field";
        const fields = Array.isArray(target) ? target.join(", ") : target;
        return new AppError("CONFLICT", `an object with the same ${fields} already exists`, { cause: error });
      }
      case "P2025":
        return new AppError("NOT_FOUND", "the object was not found (it may have just been deleted)", { cause: error });
      case "P2003":
        return new AppError("CONFLICT", "the object is still referenced by others", { cause: error });
      case "P2020":
        return new AppError("INVALID", "a number in the request is out of range", { cause: error });
      case "P2028":
      case "P1001":
      case "P1002":
      case "P1017":
        return new AppError("UNAVAILABLE", UNREACHABLE, { cause: error });
    }
  }
  if (
    error instanceof Prisma.PrismaClientInitializationError ||
    (error instanceof Error && PG_CONNECTION_LOST.has(error.message))
  ) {
    return new AppError("UNAVAILABLE", UNREACHABLE, { cause: error });
  }
  return error;
}

function postgresCodeOf(error: Prisma.PrismaClientKnownRequestError): string | undefined {
  const adapterError = error.meta?.driverAdapterError as { cause?: { originalCode?: string } } | undefined;
  return adapterError?.cause?.originalCode;
}
