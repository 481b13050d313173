import type { AuditActor } from "@/server/services/audit/write-audit";
import type { Context } from "./context";

/** The audit view of the caller: a token's calls are marked as such, so a leaked token's trail stands out. */
export function auditActorOf(ctx: Pick<Context, "actor" | "requestId" | "ip" | "userAgent">): AuditActor {
  return {
    actorType: ctx.actor ? (ctx.actor.tokenId ? "token" : "user") : "anonymous",
    actorId: ctx.actor?.userId ?? null,
    actorLabel: ctx.actor
      ? ctx.actor.tokenId
        ? `${ctx.actor.email} (API token ${ctx.actor.tokenId})`
        : ctx.actor.email
      : "anonymous",
    requestId: ctx.requestId,
    sourceIp: ctx.ip,
    userAgent: ctx.userAgent,
  };
}
