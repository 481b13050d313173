import type { Actor } from "@/server/auth/actor";
import type { Db, Tx } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import type { Role, VCluster } from "@/server/generated/prisma/client";

const RANK: Record<Role, number> = { VIEWER: 1, MEMBER: 2, OWNER: 3 };

export async function roleIn(db: Db | Tx, actor: Actor, projectId: string): Promise<Role | null> {
  if (actor.isPlatformAdmin) return "OWNER";
  const membership = await db.membership.findUnique({ where: { userId_projectId: { userId: actor.userId, projectId } }, select: { role: true } });
  return membership?.role ?? null;
}

/**
 * The vcluster if the caller may act on it with at least `minimum`: NOT_FOUND outside their projects (so other
 * tenants' clusters are not even confirmed to exist), FORBIDDEN for a lower role.
 */
export async function vclusterFor(db: Db | Tx, actor: Actor, id: string, minimum: Role): Promise<{ vcluster: VCluster; role: Role }> {
  const vcluster = await db.vCluster.findUnique({ where: { id } });
  const role = vcluster ? await roleIn(db, actor, vcluster.projectId) : null;
  if (!vcluster || !role) throw new AppError("NOT_FOUND", "vcluster not found");
  if (RANK[role] < RANK[minimum]) throw new AppError("FORBIDDEN", `this needs the ${minimum} role in the project; you are ${role}`);
  return { vcluster, role };
}
