import type { Db, Tx } from "@/server/db/client";
import { Prisma } from "@/server/generated/prisma/client";

/** claimOf (server/universal/claims.ts) summed over rows of "VCluster": cpu, memory and storage */
export const CLAIM_SUMS = Prisma.sql`SUM("cpuRequestMillis" * replicas)::bigint AS cpu,
           SUM("memoryRequestBytes" * replicas)::bigint AS memory,
           SUM(CASE WHEN "enablePersistence" THEN COALESCE("persistenceSizeBytes", 0) * replicas ELSE 0 END)::bigint AS storage`;

export interface Reservation {
  cpuMillis: number;
  memoryBytes: bigint;
  vclusters: number;
}

/** What the portal has placed on each host: every replica's requests, whatever the vcluster's phase. */
export async function reservationsByHost(db: Db | Tx): Promise<Map<string, Reservation>> {
  const rows = await db.$queryRaw<{ hostClusterId: string; cpu: bigint; memory: bigint; count: bigint }[]>`
    SELECT "hostClusterId", ${CLAIM_SUMS}, COUNT(*)::bigint AS count
      FROM "VCluster" WHERE "hostClusterId" IS NOT NULL GROUP BY "hostClusterId"`;
  return new Map(
    rows.map((r) => [r.hostClusterId, { cpuMillis: Number(r.cpu), memoryBytes: r.memory, vclusters: Number(r.count) }]),
  );
}
