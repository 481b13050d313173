/**
 * What a vcluster claims against its project's quota and its host's capacity: every replica's requests, and its
 * volume per replica when persistent. The one formula for the wizard's preview, the quota check and placement; the
 * SQL that sums it over stored vclusters is CLAIM_SUMS (server/engine/placement/reservations.ts), written from the same rule.
 * Imports nothing: pages use it too.
 */
export interface Claim {
  vclusters: number;
  cpuMillis: number;
  memoryBytes: bigint;
  storageBytes: bigint;
}

export interface ClaimedColumns {
  cpuRequestMillis: number;
  memoryRequestBytes: bigint;
  replicas: number;
  enablePersistence: boolean;
  persistenceSizeBytes: bigint | null;
}

export function claimOf(v: ClaimedColumns): Claim {
  const replicas = BigInt(v.replicas);
  return {
    vclusters: 1,
    cpuMillis: v.cpuRequestMillis * v.replicas,
    memoryBytes: v.memoryRequestBytes * replicas,
    storageBytes: v.enablePersistence && v.persistenceSizeBytes ? v.persistenceSizeBytes * replicas : 0n,
  };
}
