import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import type { SnapshotStatus } from "@/server/generated/prisma/client";

export interface SnapshotRow {
  id: string;
  name: string;
  vclusterName: string;
  status: SnapshotStatus;
  sizeBytes: bigint | null;
  objectCount: number | null;
  createdAt: Date;
  createdByEmail: string | null;
}

/** Snapshots of the caller's projects (all for a platform admin), newest first. */
export async function listSnapshots(db: Db, actor: Actor, query: { limit: number }): Promise<SnapshotRow[]> {
  const projectIds = actor.isPlatformAdmin
    ? undefined
    : (await db.membership.findMany({ where: { userId: actor.userId }, select: { projectId: true } })).map((m) => m.projectId);
  const rows = await db.snapshot.findMany({
    where: projectIds ? { projectId: { in: projectIds } } : {},
    orderBy: { createdAt: "desc" },
    take: query.limit,
    select: {
      id: true,
      name: true,
      vclusterName: true,
      status: true,
      sizeBytes: true,
      objectCount: true,
      createdAt: true,
      createdBy: { select: { email: true } },
    },
  });
  return rows.map(({ createdBy, ...r }) => ({ ...r, createdByEmail: createdBy?.email ?? null }));
}
