import { z } from "zod";
import { auditFilterSchema } from "@/server/services/audit/audit-filter";
import { listAudit } from "@/server/services/audit/list-audit";
import { verifyAuditChain } from "@/server/services/audit/verify-audit";
import { createTRPCRouter, query } from "../trpc";

export const anchorStatusSchema = z.enum(["ok", "cut", "missing", "pending", "invalid", "unconfigured"]);

export const auditEntrySchema = z.object({
  seq: z.bigint(),
  id: z.string(),
  at: z.date(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  projectId: z.string().nullable(),
  requestId: z.string().nullable(),
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  result: z.enum(["SUCCESS", "REFUSED", "FAILURE"]),
  errorCode: z.string().nullable(),
  message: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});

export const auditRouter = createTRPCRouter({
  list: query({ scope: "platform" })
    .input(
      z.object({
        filter: auditFilterSchema.default({}),
        cursor: z.string().max(20).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listAudit(ctx.db, input.filter, { cursor: input.cursor, limit: input.limit })),
  verify: query({ scope: "platform" })
    .output(
      z.object({
        ok: z.boolean(),
        checked: z.number().int(),
        brokenCount: z.number().int(),
        firstBroken: z
          .object({
            id: z.string(),
            seq: z.bigint(),
            problem: z.enum(["hash", "prevHash", "version"]),
            expected: z.string(),
            actual: z.string(),
          })
          .nullable(),
        lastSeq: z.bigint().nullable(),
        anchor: z.object({ status: anchorStatusSchema, seq: z.bigint().nullable(), at: z.date().nullable() }),
      }),
    )
    .query(({ ctx }) => verifyAuditChain(ctx.db, { anchorStore: ctx.deps.objectStore })),
});
