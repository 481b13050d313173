import type { Db, Tx } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import type { Role } from "@/server/generated/prisma/client";
import { audited } from "@/server/services/audit/write-audit";
import { DEFAULT_QUOTA } from "./quota";
import type { ServiceContext } from "@/server/services/service-context";

export interface MemberView {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  since: Date;
}

export async function listMembers(db: Db, projectId: string): Promise<MemberView[]> {
  const rows = await db.membership.findMany({
    where: { projectId },
    include: { user: { select: { email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((m) => ({
    userId: m.userId,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    since: m.createdAt,
  }));
}

async function ownersLeft(tx: Tx, projectId: string, without: string): Promise<number> {
  return tx.membership.count({ where: { projectId, role: "OWNER", userId: { not: without } } });
}

/** A project owned by the caller. */
export function createProject(
  { db, auditActor, actor }: ServiceContext,
  input: { slug: string; name: string; description?: string },
) {
  return audited(
    db,
    auditActor,
    { action: "project.create", targetType: "project", targetName: input.slug },
    async (tx) => {
      if (await tx.project.findUnique({ where: { slug: input.slug }, select: { id: true } })) {
        throw new AppError("CONFLICT", `slug: a project with slug ${input.slug} already exists`, {
          issues: [{ field: "slug", message: "already exists" }],
        });
      }
      const project = await tx.project.create({
        data: {
          slug: input.slug,
          name: input.name,
          description: input.description,
          memberships: { create: { userId: actor.userId, role: "OWNER" } },
          quota: { create: DEFAULT_QUOTA },
        },
      });
      return {
        value: { id: project.id, slug: project.slug, name: project.name },
        audit: { targetId: project.id, projectId: project.id, after: { slug: project.slug, name: project.name } },
      };
    },
  );
}

export function setMemberRole(
  { db, auditActor }: ServiceContext,
  projectId: string,
  { userId, role }: { userId: string; role: Role },
) {
  return audited(
    db,
    auditActor,
    { action: "project.member_role", targetType: "membership", targetId: userId, projectId },
    async (tx) => {
      const membership = await tx.membership.findUnique({ where: { userId_projectId: { userId, projectId } } });
      if (!membership) throw new AppError("NOT_FOUND", "member not found");
      if (membership.role === "OWNER" && role !== "OWNER" && (await ownersLeft(tx, projectId, userId)) === 0) {
        throw new AppError(
          "PRECONDITION_FAILED",
          "role: a project keeps at least one OWNER; make someone else owner first",
          { issues: [{ field: "role", message: "last owner" }] },
        );
      }
      await tx.membership.update({ where: { id: membership.id }, data: { role } });
      return { value: { userId, role }, audit: { before: { role: membership.role }, after: { role } } };
    },
  );
}

export function removeMember({ db, auditActor }: ServiceContext, projectId: string, userId: string) {
  return audited(
    db,
    auditActor,
    { action: "project.member_remove", targetType: "membership", targetId: userId, projectId },
    async (tx) => {
      const membership = await tx.membership.findUnique({ where: { userId_projectId: { userId, projectId } } });
      if (!membership) throw new AppError("NOT_FOUND", "member not found");
      if (membership.role === "OWNER" && (await ownersLeft(tx, projectId, userId)) === 0) {
        throw new AppError("PRECONDITION_FAILED", "a project keeps at least one OWNER; make someone else owner first");
      }
      await tx.membership.delete({ where: { id: membership.id } });
      return { value: { userId }, audit: { before: { role: membership.role } } };
    },
  );
}
