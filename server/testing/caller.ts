import type { Context } from "@/server/api/context";
import { portalDependencies } from "@/server/composition/dependencies";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";

/** The tRPC caller as a request from `actor` would get it (null: anonymous). */
export function callerFor(db: Db, actor: Actor | null) {
  const ctx: Context = {
    db,
    deps: portalDependencies(db),
    actor,
    authError: null,
    requestId: "test",
    ip: "127.0.0.1",
    userAgent: "vitest",
  };
  return createCaller(ctx);
}
