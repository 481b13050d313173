/**
 * The one tRPC instance and the middleware every command runs through. A command is declared with `query`,
 * `mutation` or `subscription` and its scope (./command.ts); from that declaration alone the chain authenticates,
 * spends the caller's rate budget, authorizes (one query for the caller's role where the command acts), times and
 * logs the call, translates domain errors once, and audits every mutation, refused or not.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import { metrics } from "@/server/observability/metrics";
import { trackAuditRows } from "@/server/services/audit/audit-scope";
import { authorizeThrough, requireRole, roleThrough, type ScopeTable } from "@/server/services/access/project-role";
import type { ServiceContext } from "@/server/services/service-context";
import { auditActorOf } from "./audit-actor";
import { auditUnauditedMutation } from "./audit-backstop";
import type { AuditName, CommandDeclaration, LimitClass, Meta, Scope } from "./command";
import type { Context } from "./context";
import { limitHostRead, limitMutation } from "./rate-limit";
import { issuesOfZodError, toAppError, toTrpcError } from "./error-map";

// `meta.openapi` on a procedure publishes it in the REST gateway (/api/v1) and its OpenAPI document.
const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const app = error.cause instanceof AppError ? error.cause : null;
      const zod = error.cause instanceof ZodError ? error.cause : null;
      const hidden = error.code === "INTERNAL_SERVER_ERROR";
      return {
        ...shape,
        message: hidden ? "internal error; the request id is in the server log" : zod ? zodMessage(zod) : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: app?.code ?? (zod ? "INVALID" : null),
          issues: app?.issues ?? (zod ? issuesOfZodError(zod) : []),
          retryAfter: app?.retryAfter ?? null,
        },
      };
    },
  });

function zodMessage(error: ZodError): string {
  return issuesOfZodError(error)
    .map((i) => `${i.field}: ${i.message}`)
    .join("; ");
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every call is timed, counted and logged, and domain errors become tRPC errors here, once. Every mutation leaves an
 * audit row: its service's own, or one written here (./audit-backstop.ts) under the command's declared action for
 * refusals that happen before it runs.
 */
const observed = t.procedure.use(async ({ ctx, path, type, meta, next, getRawInput }) => {
  const started = performance.now();
  const { result, written } =
    type === "mutation" ? await trackAuditRows(() => next()) : { result: await next(), written: 0 };
  const seconds = (performance.now() - started) / 1000;
  let failure: TRPCError | null = null;
  if (!result.ok) {
    const app = toAppError(result.error);
    failure = app ? toTrpcError(app) : result.error;
  }
  const code = failure?.code ?? "OK";
  const m = metrics();
  m.requests.inc({ procedure: path, type, code });
  m.duration.observe({ procedure: path, type }, seconds);
  const entry = {
    requestId: ctx.requestId,
    procedure: path,
    type,
    code,
    ms: Math.round(seconds * 1000),
    actor: ctx.actor?.userId,
  };
  if (code === "INTERNAL_SERVER_ERROR")
    logger().error({ ...entry, err: failure?.cause ?? failure }, "procedure failed");
  else logger().info(entry, "procedure");
  if (type === "mutation" && written === 0)
    await auditUnauditedMutation(
      ctx,
      path,
      meta?.command?.audit ?? null,
      await getRawInput().catch(() => null),
      failure,
    );
  if (failure) throw failure;
  return result;
});

function declarationOf(meta: Meta | undefined): CommandDeclaration {
  if (!meta?.command)
    throw new Error("a procedure without a command declaration: declare it with query(), mutation() or subscription()");
  return meta.command;
}

const signedIn = observed
  .use(({ ctx, next }) => {
    if (ctx.authError) throw toTrpcError(ctx.authError);
    if (!ctx.actor)
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "sign in, or send an API token as `Authorization: Bearer <token>`",
      });
    const service: ServiceContext = { db: ctx.db, actor: ctx.actor, auditActor: auditActorOf(ctx), deps: ctx.deps };
    return next({ ctx: { ...ctx, actor: ctx.actor, service } });
  })
  .use(async ({ ctx, meta, next }) => {
    const limit = declarationOf(meta).limit;
    if (limit === "mutations") await limitMutation(ctx.db, ctx.actor);
    else if (limit === "hostReads") await limitHostRead(ctx.db, ctx.actor);
    return next();
  });

const platform = signedIn.use(({ ctx, next }) => {
  if (!ctx.actor.isPlatformAdmin)
    throw new TRPCError({ code: "FORBIDDEN", message: "only platform admins may do this" });
  return next();
});

/** The role a scoped command needs, from its declaration. */
function minimumOf(meta: Meta | undefined) {
  const scope = declarationOf(meta).scope;
  if (typeof scope === "string") throw new Error(`scope ${scope} names no role`);
  return "project" in scope ? scope.project : "vcluster" in scope ? scope.vcluster : scope.snapshot;
}

const keySchema = (key: string) =>
  z.string().min(1, `${key} is required`).max(64, `${key} may be at most 64 characters`);

const projectInput = z.object({ projectId: keySchema("projectId") });

const inProject = signedIn.input(projectInput).use(async ({ ctx, input, meta, next }) => {
  const found = requireRole(
    await roleThrough(ctx.db, ctx.actor, "project", input.projectId),
    minimumOf(meta),
    "project",
  );
  return next({ ctx: { ...ctx, project: { id: found.projectId, role: found.role } } });
});

/** Across the caller's projects, or in the one named, which they must then belong to. */
const inProjectIfNamed = signedIn
  .input(z.object({ projectId: keySchema("projectId").optional() }).default({}))
  .use(async ({ ctx, input, meta, next }) => {
    if (input.projectId !== undefined)
      requireRole(await roleThrough(ctx.db, ctx.actor, "project", input.projectId), minimumOf(meta), "project");
    return next();
  });

/** Through the object an input field names: the caller's role in its project. */
function through<K extends string>(table: Exclude<ScopeTable, "project">, key: K) {
  const shape = { [key]: keySchema(key) } as Record<K, ReturnType<typeof keySchema>>;
  return signedIn.input(z.object(shape)).use(async ({ ctx, input, meta, next }) => {
    const found = await authorizeThrough(ctx.db, ctx.actor, table, (input as Record<K, string>)[key], minimumOf(meta));
    return next({ ctx: { ...ctx, project: { id: found.projectId, role: found.role } } });
  });
}

const bases = {
  public: observed,
  self: signedIn,
  platform,
  project: inProject,
  projectIfNamed: inProjectIfNamed,
  vclusterById: through("vcluster", "id"),
  vclusterByVClusterId: through("vcluster", "vclusterId"),
  snapshotById: through("snapshot", "id"),
  snapshotBySnapshotId: through("snapshot", "snapshotId"),
};

type BaseOf<S extends Scope> = S extends "public"
  ? typeof bases.public
  : S extends "self"
    ? typeof bases.self
    : S extends "platform"
      ? typeof bases.platform
      : S extends { project: unknown; optional: true }
        ? typeof bases.projectIfNamed
        : S extends { project: unknown }
          ? typeof bases.project
          : S extends { vcluster: unknown; key: "id" }
            ? typeof bases.vclusterById
            : S extends { vcluster: unknown; key: "vclusterId" }
              ? typeof bases.vclusterByVClusterId
              : S extends { snapshot: unknown; key: "id" }
                ? typeof bases.snapshotById
                : typeof bases.snapshotBySnapshotId;

function baseOf(scope: Scope) {
  if (typeof scope === "string") return bases[scope];
  if ("project" in scope) return scope.optional ? bases.projectIfNamed : bases.project;
  if ("vcluster" in scope) return scope.key === "id" ? bases.vclusterById : bases.vclusterByVClusterId;
  return scope.key === "id" ? bases.snapshotById : bases.snapshotBySnapshotId;
}

interface Declared<S extends Scope> {
  scope: S;
  openapi?: NonNullable<Meta["openapi"]>;
  limit?: LimitClass;
}

function declare<S extends Scope>(
  kind: CommandDeclaration["kind"],
  declared: Declared<S>,
  audit: AuditName | null,
): BaseOf<S> {
  const command: CommandDeclaration = {
    kind,
    scope: declared.scope,
    audit,
    limit: declared.limit ?? (kind === "mutation" ? "mutations" : "none"),
  };
  // the bases differ only in the context they add; which one a scope gets is what BaseOf spells out for the types
  return baseOf(declared.scope).meta({ openapi: declared.openapi, command }) as unknown as BaseOf<S>;
}

/** A read. Not audited; spends no budget unless it reaches a host (`limit: "hostReads"`). */
export function query<const S extends Scope>(declared: Declared<S>): BaseOf<S> {
  return declare("query", declared, null);
}

/** A change: audited under `audit`, success and refusal alike, and counted against the caller's change budget. */
export function mutation<const S extends Scope>(declared: Declared<S> & { audit: AuditName }): BaseOf<S> {
  return declare("mutation", declared, declared.audit);
}

export function subscription<const S extends Scope>(declared: Declared<S>): BaseOf<S> {
  return declare("subscription", declared, null);
}
