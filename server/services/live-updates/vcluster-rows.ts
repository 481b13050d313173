import type { Db } from "@/server/db/client";
import { ROW_SELECT, rowOf } from "@/server/services/vclusters/list-vclusters";
import type { VClusterRow } from "@/server/universal/vcluster-view";

/** A list row plus what the change feed needs to tell one version of a cluster from the next. */
export interface VersionedRow {
  row: VClusterRow;
  updatedAt: Date;
}

function selectRows(db: Db, where: { id: { in: string[] } } | { updatedAt: { gt: Date } }) {
  return db.vCluster.findMany({ where, select: { ...ROW_SELECT, updatedAt: true } });
}

function versioned({ updatedAt, ...r }: Awaited<ReturnType<typeof selectRows>>[number]): VersionedRow {
  return { updatedAt, row: rowOf(r) };
}

export async function rowsByIds(db: Db, ids: string[]): Promise<VersionedRow[]> {
  if (ids.length === 0) return [];
  return (await selectRows(db, { id: { in: ids } })).map(versioned);
}

export async function rowsUpdatedAfter(db: Db, since: Date): Promise<VersionedRow[]> {
  return (await selectRows(db, { updatedAt: { gt: since } })).map(versioned);
}
