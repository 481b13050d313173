import type { Db, Tx } from "@/server/db/client";

/** PostgreSQL channel on which every instance hears that a vcluster's status changed. */
export const VCLUSTER_CHANGES_CHANNEL = "ovc_vcluster_changes";

/**
 * Announces a status change, delivered when the surrounding transaction commits. The payload only names the
 * vcluster: listeners read the current state themselves, so a missed or reordered notice loses nothing.
 */
export async function announceVClusterChange(db: Db | Tx, vclusterId: string, projectId: string): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${VCLUSTER_CHANGES_CHANNEL}, ${JSON.stringify({ vclusterId, projectId })})`;
}
