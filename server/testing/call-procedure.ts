import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import { callerFor } from "./caller";

export type Outcome =
  { ok: true; data: unknown } | { ok: false; code: TRPC_ERROR_CODE_KEY; appCode: string | null; message: string };

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/**
 * Calls a procedure by its dotted path, as tests that walk the whole router need to. A subscription's stream is
 * closed unread: its authorization happens before the first event.
 */
export async function callProcedure(db: Db, actor: Actor | null, path: string, input: unknown): Promise<Outcome> {
  let target: unknown = callerFor(db, actor);
  for (const segment of path.split(".")) target = (target as Record<string, unknown>)[segment];
  const procedure = target as (input: unknown) => Promise<unknown>;
  try {
    const data = await procedure(input);
    if (isAsyncIterable(data)) await data[Symbol.asyncIterator]().return?.();
    return { ok: true, data };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return {
      ok: false,
      code: error.code,
      appCode: error.cause instanceof AppError ? error.cause.code : null,
      message: error.message,
    };
  }
}
