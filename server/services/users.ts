import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import type { Role } from "@/server/generated/prisma/client";

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

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  disabled: boolean;
  createdAt: Date;
  projectCount: number;
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
      _count: { select: { memberships: true } },
    },
  });
  return users.map(({ _count, ...u }) => ({ ...u, projectCount: _count.memberships }));
}
