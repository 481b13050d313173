import type { Actor } from "@/server/auth/actor";
import { revokeUserSessions } from "@/server/auth/server-sessions";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/universal/errors";
import { audited } from "./audit/write-audit";
import type { Role } from "@/server/generated/prisma/client";
import type { ServiceContext } from "@/server/services/service-context";

export interface Me {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  viaToken: boolean;
  memberships: { projectId: string; projectName: string; role: Role }[];
}

export async function getMe(db: Db, actor: Actor): Promise<Me> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: {
      id: true,
      email: true,
      name: true,
      isPlatformAdmin: true,
      memberships: { select: { projectId: true, role: true, project: { select: { name: true } } } },
    },
  });
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isPlatformAdmin: user.isPlatformAdmin,
    viaToken: actor.tokenId !== null,
    memberships: user.memberships.map((m) => ({ projectId: m.projectId, projectName: m.project.name, role: m.role })),
  };
}

/** Signs a person out everywhere: every browser session ends at its next request (API tokens are revoked apart). */
export async function revokeSessionsOf(
  { db, auditActor }: ServiceContext,
  userId: string,
): Promise<{ revoked: number }> {
  return audited(
    db,
    auditActor,
    { action: "user.sessions_revoke", targetType: "user", targetId: userId },
    async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true } });
      if (!user) throw notFound("user");
      const revoked = await revokeUserSessions(tx, userId);
      return { value: { revoked }, audit: { targetName: user.email, after: { revoked } } };
    },
  );
}

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  disabled: boolean;
  createdAt: Date;
  projectCount: number;
  liveSessions: number;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  const users = await db.user.findMany({
    orderBy: { email: "asc" },
    select: {
      id: true,
      email: true,
      name: true,
      isPlatformAdmin: true,
      disabled: true,
      createdAt: true,
      _count: { select: { memberships: true, sessions: { where: { expires: { gt: new Date() } } } } },
    },
  });
  return users.map(({ _count, ...u }) => ({ ...u, projectCount: _count.memberships, liveSessions: _count.sessions }));
}
