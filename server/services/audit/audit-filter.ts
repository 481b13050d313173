import { z } from "zod";
import type { Prisma } from "@/server/generated/prisma/client";

/** What the admin can narrow the audit log by; shared by the list procedure and the export route. */
export const auditFilterSchema = z
  .object({
    /** a user id, or part of the actor's label (their email) */
    actor: z.string().trim().min(1).max(200).optional(),
    projectId: z.string().trim().min(1).max(64).optional(),
    action: z.string().trim().min(1).max(100).optional(),
    /** a target id or exact target name */
    target: z.string().trim().min(1).max(200).optional(),
    targetType: z.string().trim().min(1).max(64).optional(),
    result: z.enum(["SUCCESS", "REFUSED", "FAILURE"]).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "from must not be after to", path: ["from"] });

export type AuditFilter = z.infer<typeof auditFilterSchema>;

export function auditWhere(filter: AuditFilter): Prisma.AuditLogWhereInput {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (filter.actor)
    and.push({ OR: [{ actorId: filter.actor }, { actorLabel: { contains: filter.actor, mode: "insensitive" } }] });
  if (filter.target) and.push({ OR: [{ targetId: filter.target }, { targetName: filter.target }] });
  return {
    AND: and,
    projectId: filter.projectId,
    action: filter.action,
    targetType: filter.targetType,
    result: filter.result,
    at: filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined,
  };
}
