import type { Actor } from "@/server/auth/actor";
import type { Db, Tx } from "@/server/db/client";
import type { Role, VCluster } from "@/server/generated/prisma/client";
import { requireRole, roleIn } from "../access/project-role";

/**
 * The vcluster if the caller may act on it with at least `minimum`, read in the caller's transaction so what is
 * decided on is what is changed.
 */
export async function vclusterFor(
  db: Db | Tx,
  actor: Actor,
  id: string,
  minimum: Role,
): Promise<{ vcluster: VCluster; role: Role }> {
  const vcluster = await db.vCluster.findUnique({ where: { id } });
  const role = vcluster ? await roleIn(db, actor, vcluster.projectId) : null;
  return requireRole(vcluster && role ? { vcluster, role } : null, minimum, "vcluster");
}
