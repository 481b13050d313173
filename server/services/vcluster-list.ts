import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import type { Prisma, VClusterPhase } from "@/server/generated/prisma/client";

export interface VClusterListQuery {
  projectId?: string;
  limit: number;
  /** id of the last row of the previous page */
  cursor?: string;
}

export interface VClusterRow {
  id: string;
  name: string;
  projectId: string;
  projectName: string;
  phase: VClusterPhase;
  kubernetesVersion: string;
  replicas: number;
  readyReplicas: number;
  hostClusterName: string | null;
  createdAt: Date;
}

export interface VClusterPage {
  items: VClusterRow[];
  nextCursor: string | null;
  total: number;
}

/** The clusters the caller may see: those of their projects, or all for a platform admin. */
export async function listVClusters(db: Db, actor: Actor, query: VClusterListQuery): Promise<VClusterPage> {
  const where: Prisma.VClusterWhereInput = {
    ...(query.projectId ? { projectId: query.projectId } : {}),
    ...(actor.isPlatformAdmin ? {} : { project: { memberships: { some: { userId: actor.userId } } } }),
  };
  const [rows, total] = await Promise.all([
    db.vCluster.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: query.limit + 1,
      ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
      select: {
        id: true,
        name: true,
        projectId: true,
        project: { select: { name: true } },
        phase: true,
        kubernetesVersion: true,
        replicas: true,
        readyReplicas: true,
        hostCluster: { select: { name: true } },
        createdAt: true,
      },
    }),
    db.vCluster.count({ where }),
  ]);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      name: r.name,
      projectId: r.projectId,
      projectName: r.project.name,
      phase: r.phase,
      kubernetesVersion: r.kubernetesVersion,
      replicas: r.replicas,
      readyReplicas: r.readyReplicas,
      hostClusterName: r.hostCluster?.name ?? null,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    total,
  };
}
