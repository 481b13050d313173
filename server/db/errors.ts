import { Prisma } from "@/server/generated/prisma/client";
import { AppError } from "@/server/errors";

/** Translates database errors into domain errors, once, for every caller. Unknown errors pass through unchanged. */
export function translateDbError(error: unknown): unknown {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    // PostgreSQL text cannot hold NUL characters; such input is the caller's mistake, not a server failure.
    if (postgresCodeOf(error) === "22021") return new AppError("INVALID", "text in the request may not contain NUL characters", { cause: error });
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
        return new AppError("UNAVAILABLE", "the database is not reachable right now; try again", { cause: error });
    }
  }
  if (error instanceof Prisma.PrismaClientInitializationError) {
    return new AppError("UNAVAILABLE", "the database is not reachable right now; try again", { cause: error });
  }
  return error;
}

function postgresCodeOf(error: Prisma.PrismaClientKnownRequestError): string | undefined {
  const adapterError = error.meta?.driverAdapterError as { cause?: { originalCode?: string } } | undefined;
  return adapterError?.cause?.originalCode;
}
