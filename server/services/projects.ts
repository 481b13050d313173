import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import type { Role } from "@/server/generated/prisma/client";

export interface ProjectSummary {
  id: string;
  slug: string;
  name: string;
  /** the caller's role; platform admins see every project as OWNER */
  role: Role;
  vclusterCount: number;
}

export async function listProjectsForActor(db: Db, actor: Actor): Promise<ProjectSummary[]> {
  const projects = await db.project.findMany({
    where: actor.isPlatformAdmin ? {} : { memberships: { some: { userId: actor.userId } } },
    orderBy: { name: "asc" },
    select: {
      id: true,
      slug: true,
      name: true,
      memberships: { where: { userId: actor.userId }, select: { role: true } },
      _count: { select: { vclusters: true } },
    },
  });
  return projects.map((p) => ({
    id: p.id,
    slug: p.slug,
    name: p.name,
    role: actor.isPlatformAdmin ? "OWNER" : (p.memberships[0]?.role ?? "VIEWER"),
    vclusterCount: p._count.vclusters,
  }));
}
