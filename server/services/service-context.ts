import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import type { AuditActor } from "./audit/write-audit";
import type { PortalDependencies } from "@/server/services/dependencies";

/**
 * What a command's service acts with, as one object: the database, the caller, who its audit rows name, and the
 * process's dependencies. The API builds it once per request (server/api/trpc.ts); services take it first and the
 * command's own input after it.
 */
export interface ServiceContext {
  db: Db;
  actor: Actor;
  auditActor: AuditActor;
  deps: PortalDependencies;
}
