import type { Db } from "@/server/db/client";
import type { VClusterRow } from "@/server/services/vclusters/list-vclusters";

/** A list row plus what the change feed needs to tell one version of a cluster from the next. */
export interface VersionedRow {
  row: VClusterRow;
  updatedAt: Date;
}

const SELECT = {
  id: true,
  name: true,
  projectId: true,
  project: { select: { name: true } },
  phase: true,
  kubernetesVersion: true,
  replicas: true,
  readyReplicas: true,
  hostCluster: { select: { name: true } },
  labels: true,
  createdAt: true,
  updatedAt: true,
} as const;

type Selected = Awaited<ReturnType<typeof selectRows>>[number];

function selectRows(db: Db, where: { id: { in: string[] } } | { updatedAt: { gt: Date } }) {
  return db.vCluster.findMany({ where, select: SELECT });
}

function versioned(r: Selected): VersionedRow {
  return {
    updatedAt: r.updatedAt,
    row: {
      id: r.id,
      name: r.name,
      projectId: r.projectId,
      projectName: r.project.name,
      phase: r.phase,
      kubernetesVersion: r.kubernetesVersion,
      replicas: r.replicas,
      readyReplicas: r.readyReplicas,
      hostClusterName: r.hostCluster?.name ?? null,
      labels: (r.labels ?? {}) as Record<string, string>,
      createdAt: r.createdAt,
    },
  };
}

export async function rowsByIds(db: Db, ids: string[]): Promise<VersionedRow[]> {
  if (ids.length === 0) return [];
  return (await selectRows(db, { id: { in: ids } })).map(versioned);
}

export async function rowsUpdatedAfter(db: Db, since: Date): Promise<VersionedRow[]> {
  return (await selectRows(db, { updatedAt: { gt: since } })).map(versioned);
}
