/**
 * What a command declares about itself, once, beside its handler: where it acts and the role it needs there, the
 * audit action it is known by, and the rate-limit budget it spends. The middleware in ./trpc.ts reads this and
 * nothing else to authorize, limit and audit; the RBAC walk, the REST gateway and the OpenAPI document read it too.
 */
import type { OpenApiMeta } from "trpc-to-openapi";
import type { Role } from "@/server/generated/prisma/enums";
import type { AuditAction, AuditTargetType } from "@/server/universal/audit-actions";

/**
 * Where a command acts. `self`: the caller's own things (their tokens, notifications, the projects they are in);
 * `platform`: platform admins only; `project`/`vcluster`/`snapshot`: one object named by an input field, with at
 * least `min` in its project. An `optional` project scope acts across the caller's projects when none is named.
 */
export type Scope =
  | "public"
  | "self"
  | "platform"
  | { project: Role; optional?: true }
  | { vcluster: Role; key: "id" | "vclusterId" }
  | { snapshot: Role; key: "id" | "snapshotId" };

/** The per-caller budgets (./rate-limit.ts): every change, and reads that reach a host cluster. */
export type LimitClass = "mutations" | "hostReads" | "none";

export interface AuditName {
  action: AuditAction;
  targetType: AuditTargetType;
}

export interface CommandDeclaration {
  kind: "query" | "mutation" | "subscription";
  scope: Scope;
  /** mutations only: the action a success and a refusal are both audited under */
  audit: AuditName | null;
  limit: LimitClass;
}

export type Meta = OpenApiMeta & { command?: CommandDeclaration };

/** Who may call, as the RBAC walk ranks callers: anyone, any signed-in user, a project role or above, admins. */
export type Level = "public" | "signedIn" | Role | "admin";

export function levelOf(scope: Scope): Level {
  if (scope === "public") return "public";
  if (scope === "self") return "signedIn";
  if (scope === "platform") return "admin";
  if ("project" in scope) return scope.project;
  if ("vcluster" in scope) return scope.vcluster;
  return scope.snapshot;
}

/** Who may call, in words, for the API's documentation. */
export function describeAccess(command: CommandDeclaration): string {
  const { scope } = command;
  const who =
    scope === "public"
      ? "Open to anyone."
      : scope === "self"
        ? "Any signed-in caller, acting on what is theirs."
        : scope === "platform"
          ? "Platform admins only."
          : "project" in scope
            ? `Needs the ${scope.project} role in the project${scope.optional ? " when one is named" : ""}.`
            : `Needs the ${"vcluster" in scope ? scope.vcluster : scope.snapshot} role in the ${"vcluster" in scope ? "vcluster" : "snapshot"}'s project.`;
  return command.audit ? `${who} Audited as \`${command.audit.action}\`, refused or not.` : who;
}

interface DeclaredProcedure {
  _def: { type: CommandDeclaration["kind"]; meta?: Meta };
}

export interface DeclaredCommand {
  type: CommandDeclaration["kind"];
  command: CommandDeclaration | null;
  operationId: string | null;
}

/** Every procedure of a router by path, with its declaration (null for one declared some other way, a bug). */
export function declarationsOf(router: { _def: { procedures: object } }): Record<string, DeclaredCommand> {
  const procedures = router._def.procedures as Record<string, DeclaredProcedure>;
  return Object.fromEntries(
    Object.entries(procedures).map(([path, p]) => [
      path,
      {
        type: p._def.type,
        command: p._def.meta?.command ?? null,
        operationId: p._def.meta?.openapi?.operationId ?? null,
      },
    ]),
  );
}
