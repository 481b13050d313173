/**
 * The audit row of a mutation that wrote none: refused before its service ran (not signed in, not a member, bad
 * input, over a rate limit) or served by code without an audit of its own. Named by the command's declaration
 * (./command.ts) so a refusal and a success of the same command carry the same action.
 */
import type { TRPCError } from "@trpc/server";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import { writeAudit } from "@/server/services/audit/write-audit";
import { auditActorOf } from "./audit-actor";
import type { Context } from "./context";
import type { AuditName } from "./command";

const TARGET_ID_KEYS = [
  "id",
  "vclusterId",
  "snapshotId",
  "userId",
  "tokenId",
  "webhookId",
  "hostId",
  "projectId",
] as const;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function stringField(input: unknown, key: string, max: number): string | null {
  if (typeof input !== "object" || input === null || !(key in input)) return null;
  const value = (input as Record<string, unknown>)[key];
  return typeof value === "string" && value.length > 0 ? value.slice(0, max) : null;
}

/** The target as the caller named it: untrusted, so only well-formed ids and short names are kept. */
function targetOf(input: unknown): { targetId: string | null; targetName: string | null; projectId: string | null } {
  const json =
    typeof input === "object" && input !== null && "json" in input ? (input as { json: unknown }).json : input;
  let targetId: string | null = null;
  for (const key of TARGET_ID_KEYS) {
    const value = stringField(json, key, 64);
    if (value && ID_PATTERN.test(value)) {
      targetId = value;
      break;
    }
  }
  const projectId = stringField(json, "projectId", 64);
  return {
    targetId,
    targetName: stringField(json, "name", 200) ?? stringField(json, "email", 200) ?? stringField(json, "slug", 200),
    projectId: projectId && ID_PATTERN.test(projectId) ? projectId : null,
  };
}

export async function auditUnauditedMutation(
  ctx: Context,
  path: string,
  named: AuditName | null,
  rawInput: unknown,
  failure: TRPCError | null,
): Promise<void> {
  if (!named) {
    // the RBAC walk refuses such a command; reaching here means it shipped anyway
    logger().error(
      { procedure: path, requestId: ctx.requestId },
      "a mutation without a declared audit action ran unaudited",
    );
    return;
  }
  const target = targetOf(rawInput);
  const app = failure ? (failure.cause instanceof AppError ? failure.cause : null) : null;
  const refused = failure !== null && failure.code !== "INTERNAL_SERVER_ERROR" && app?.code !== "UNAVAILABLE";
  try {
    // a project the caller named but that does not exist cannot be referenced (the foreign key): it stays the target
    const projectExists = target.projectId
      ? (await ctx.db.project.count({ where: { id: target.projectId } })) > 0
      : false;
    await ctx.db.$transaction((tx) =>
      writeAudit(
        tx,
        auditActorOf(ctx),
        {
          action: named.action,
          targetType: named.targetType,
          targetId: target.targetId,
          targetName: target.targetName,
          projectId: projectExists ? target.projectId : null,
        },
        failure
          ? {
              result: refused ? "REFUSED" : "FAILURE",
              errorCode: app?.code ?? failure.code,
              message: refused ? failure.message.slice(0, 500) : "internal error",
            }
          : { result: "SUCCESS" },
      ),
    );
  } catch (error) {
    // the caller's answer stands (a success is committed); the missing row is an operator's alert, not theirs
    logger().error(
      { err: error, procedure: path, requestId: ctx.requestId },
      "could not write the audit row of a mutation",
    );
  }
}
