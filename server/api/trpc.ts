/**
 * The procedure kinds, defined once: public, signed-in, project member with at least a role, platform admin.
 * Each narrows the context type so handlers never need a non-null assertion.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z, ZodError } from "zod";
import type { Role } from "@/server/generated/prisma/client";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import { metrics } from "@/server/observability/metrics";
import { trackAuditRows } from "@/server/services/audit/audit-scope";
import { auditUnauditedMutation } from "./audit-backstop";
import type { Context } from "./context";
import { limitMutation } from "./rate-limit";
import { issuesOfZodError, toAppError, toTrpcError } from "./error-map";

// `meta.openapi` on a procedure publishes it in the REST gateway (/api/v1) and its OpenAPI document.
const t = initTRPC.context<Context>().meta<OpenApiMeta>().create({
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
 * audit row: its service's own, or one written here (./audit-backstop.ts) for refusals that happen before it runs.
 */
const observed = t.procedure.use(async ({ ctx, path, type, next, getRawInput }) => {
  const started = performance.now();
  const { result, written } = type === "mutation" ? await trackAuditRows(() => next()) : { result: await next(), written: 0 };
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
  const entry = { requestId: ctx.requestId, procedure: path, type, code, ms: Math.round(seconds * 1000), actor: ctx.actor?.userId };
  if (code === "INTERNAL_SERVER_ERROR") logger().error({ ...entry, err: failure?.cause ?? failure }, "procedure failed");
  else logger().info(entry, "procedure");
  if (type === "mutation" && written === 0) await auditUnauditedMutation(ctx, path, await getRawInput().catch(() => null), failure);
  if (failure) throw failure;
  return result;
});

export const publicProcedure = observed;

export const signedInProcedure = observed.use(({ ctx, next }) => {
  if (ctx.authError) throw toTrpcError(ctx.authError);
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in, or send an API token as `Authorization: Bearer <token>`" });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
}).use(async ({ ctx, type, next }) => {
  if (type === "mutation") await limitMutation(ctx.db, ctx.actor);
  return next();
});

export const adminProcedure = signedInProcedure.use(({ ctx, next }) => {
  if (!ctx.actor.isPlatformAdmin) throw new TRPCError({ code: "FORBIDDEN", message: "only platform admins may do this" });
  return next();
});

const ROLE_RANK: Record<Role, number> = { VIEWER: 1, MEMBER: 2, OWNER: 3 };

export const projectInput = z.object({ projectId: z.string().min(1, "projectId is required") });

/**
 * Calls that act inside a project. A caller who is not a member gets NOT_FOUND, so other tenants' projects are not
 * even confirmed to exist; a member below `minimum` gets FORBIDDEN. Platform admins act as owners everywhere.
 */
export function projectProcedure(minimum: Role) {
  return signedInProcedure.input(projectInput).use(async ({ ctx, input, next }) => {
    let role: Role | null = ctx.actor.isPlatformAdmin ? "OWNER" : null;
    if (!role) {
      const membership = await ctx.db.membership.findUnique({
        where: { userId_projectId: { userId: ctx.actor.userId, projectId: input.projectId } },
        select: { role: true },
      });
      role = membership?.role ?? null;
    } else {
      const exists = await ctx.db.project.count({ where: { id: input.projectId } });
      if (!exists) role = null;
    }
    if (!role) throw new TRPCError({ code: "NOT_FOUND", message: "project not found" });
    if (ROLE_RANK[role] < ROLE_RANK[minimum]) {
      throw new TRPCError({ code: "FORBIDDEN", message: `this needs the ${minimum} role in the project; you are ${role}` });
    }
    return next({ ctx: { ...ctx, project: { id: input.projectId, role } } });
  });
}
