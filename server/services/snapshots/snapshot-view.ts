import type { Db, Tx } from "@/server/db/client";
import type { Prisma, SnapshotStatus } from "@/server/generated/prisma/client";

export interface SnapshotView {
  id: string;
  name: string;
  vclusterId: string | null;
  vclusterName: string;
  projectId: string;
  status: SnapshotStatus;
  reason: string | null;
  sizeBytes: bigint | null;
  objectCount: number | null;
  checksum: string | null;
  storageUri: string | null;
  kubernetesVersion: string | null;
  counts: Record<string, number>;
  createdByEmail: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export const SNAPSHOT_VIEW_INCLUDE = { createdBy: { select: { email: true } } } as const;

export async function loadSnapshotView(db: Db | Tx, id: string): Promise<SnapshotView> {
  return snapshotViewOf(await db.snapshot.findUniqueOrThrow({ where: { id }, include: SNAPSHOT_VIEW_INCLUDE }));
}

export function snapshotViewOf(s: Prisma.SnapshotGetPayload<{ include: typeof SNAPSHOT_VIEW_INCLUDE }>): SnapshotView {
  const manifest = (s.manifest ?? {}) as { counts?: Record<string, number> };
  return {
    id: s.id,
    name: s.name,
    vclusterId: s.vclusterId,
    vclusterName: s.vclusterName,
    projectId: s.projectId,
    status: s.status,
    reason: s.reason,
    sizeBytes: s.sizeBytes,
    objectCount: s.objectCount,
    checksum: s.checksum,
    storageUri: s.storageUri,
    kubernetesVersion: s.kubernetesVersion,
    counts: manifest.counts ?? {},
    createdByEmail: s.createdBy?.email ?? null,
    createdAt: s.createdAt,
    completedAt: s.completedAt,
  };
}
