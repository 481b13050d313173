/**
 * The start of the create flow: place the vcluster on a host (reserving its share), record it PENDING and queue
 * its CREATE operation — all in the caller's transaction, so a refusal writes nothing.
 */
import { claimOf } from "@/server/universal/claims";
import type { Tx } from "@/server/db/client";
import { AppError, invalidField } from "@/server/universal/errors";
import type { Operation, Prisma, VCluster } from "@/server/generated/prisma/client";
import { requestOperation } from "@/server/engine/queue/operations";
import { reservationsByHost } from "@/server/engine/placement/reservations";
import { chooseHost, type HostCandidate } from "@/server/engine/placement/scheduler";

export type VClusterRecordInput = Omit<
  Prisma.VClusterUncheckedCreateInput,
  "id" | "phase" | "hostClusterId" | "createdAt" | "updatedAt"
>;

export interface RecordOptions {
  /** the request's own host selector, on top of the project's */
  hostSelector?: Record<string, string>;
  idempotencyKey?: string | null;
  requestedById?: string | null;
  /** parameters of the CREATE operation (e.g. a snapshot to restore once it runs) */
  params?: Prisma.InputJsonValue;
}

/** The scheduler's view of the hosts; `lock` for a placement that reserves (a dry run only looks). */
export async function loadCandidates(tx: Tx, options: { lock: boolean }): Promise<HostCandidate[]> {
  // Locking every host row serialises placements, so two creates cannot both take the last free share.
  if (options.lock) await tx.$queryRaw`SELECT id FROM "HostCluster" ORDER BY id FOR UPDATE`;
  const hosts = await tx.hostCluster.findMany({ orderBy: { name: "asc" } });
  const reserved = await reservationsByHost(tx);
  return hosts.map((h) => {
    const r = reserved.get(h.id);
    return {
      id: h.id,
      name: h.name,
      health: h.health,
      cordoned: h.cordoned,
      labels: (h.labels ?? {}) as Record<string, string>,
      capacityCpuMillis: h.capacityCpuMillis,
      capacityMemoryBytes: h.capacityMemoryBytes,
      maxVClusters: h.maxVClusters,
      reservedCpuMillis: r?.cpuMillis ?? 0,
      reservedMemoryBytes: r?.memoryBytes ?? 0n,
      vclusterCount: r?.vclusters ?? 0,
    };
  });
}

/** The project's host selector always holds; a vcluster may only narrow it with keys of its own. */
export function placementSelector(
  project: Record<string, string>,
  requested: Record<string, string> = {},
): Record<string, string> {
  for (const [key, value] of Object.entries(requested)) {
    if (key in project && project[key] !== value)
      throw invalidField(
        `hostSelector.${key}`,
        `the project places its vclusters on hosts with ${key}=${project[key]}; a vcluster cannot choose another value`,
      );
  }
  return { ...requested, ...project };
}

export async function recordVCluster(
  tx: Tx,
  input: VClusterRecordInput,
  options: RecordOptions = {},
): Promise<{ vcluster: VCluster; operation: Operation; replayed: boolean }> {
  if (options.idempotencyKey) {
    const earlier = await tx.operation.findUnique({
      where: { idempotencyKey: options.idempotencyKey },
      include: { vcluster: true },
    });
    if (earlier) {
      if (earlier.kind !== "CREATE" || !earlier.vcluster)
        throw new AppError("CONFLICT", "idempotencyKey was already used for a different request");
      return { vcluster: earlier.vcluster, operation: earlier, replayed: true };
    }
  }
  const project = await tx.project.findUniqueOrThrow({
    where: { id: input.projectId },
    select: { hostSelector: true },
  });
  const selector = placementSelector((project.hostSelector ?? {}) as Record<string, string>, options.hostSelector);
  const { cpuMillis, memoryBytes } = claimOf({
    cpuRequestMillis: input.cpuRequestMillis,
    memoryRequestBytes: BigInt(input.memoryRequestBytes),
    replicas: input.replicas ?? 1,
    enablePersistence: input.enablePersistence ?? false,
    persistenceSizeBytes:
      input.persistenceSizeBytes === undefined || input.persistenceSizeBytes === null
        ? null
        : BigInt(input.persistenceSizeBytes),
  });
  const placement = chooseHost(await loadCandidates(tx, { lock: true }), { cpuMillis, memoryBytes, selector });
  if (!placement.ok) throw new AppError("PRECONDITION_FAILED", placement.reason);
  const vcluster = await tx.vCluster.create({ data: { ...input, hostClusterId: placement.host.id, phase: "PENDING" } });
  const { operation } = await requestOperation(tx, {
    vclusterId: vcluster.id,
    kind: "CREATE",
    params: options.params,
    idempotencyKey: options.idempotencyKey,
    requestedById: options.requestedById,
  });
  return { vcluster, operation, replayed: false };
}
