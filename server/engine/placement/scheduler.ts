/**
 * Placement: which host cluster gets a new vcluster. Pure choice over candidates; the caller loads them with their
 * current reservations inside the transaction that records the vcluster, so concurrent creates cannot overbook.
 */
import type { HostHealth } from "@/server/generated/prisma/client";

export interface HostCandidate {
  id: string;
  name: string;
  health: HostHealth;
  cordoned: boolean;
  labels: Record<string, string>;
  capacityCpuMillis: number;
  capacityMemoryBytes: bigint;
  maxVClusters: number | null;
  reservedCpuMillis: number;
  reservedMemoryBytes: bigint;
  vclusterCount: number;
}

export interface PlacementRequest {
  cpuMillis: number;
  memoryBytes: bigint;
  /** every label must match (the project's selector merged with the request's) */
  selector: Record<string, string>;
}

export type Placement = { ok: true; host: HostCandidate } | { ok: false; reason: string };

function whyNot(host: HostCandidate, request: PlacementRequest): string | null {
  if (host.cordoned) return "cordoned by an admin";
  if (host.health === "UNREACHABLE") return "unreachable";
  const mismatch = Object.entries(request.selector).find(([k, v]) => host.labels[k] !== v);
  if (mismatch) return `label ${mismatch[0]}=${mismatch[1]} not set`;
  if (host.maxVClusters !== null && host.vclusterCount >= host.maxVClusters)
    return `holds its maximum of ${host.maxVClusters} vclusters`;
  const freeCpu = host.capacityCpuMillis - host.reservedCpuMillis;
  if (request.cpuMillis > freeCpu) return `needs ${request.cpuMillis}m CPU, ${Math.max(freeCpu, 0)}m free`;
  const freeMemory = host.capacityMemoryBytes - host.reservedMemoryBytes;
  if (request.memoryBytes > freeMemory)
    return `needs ${mib(request.memoryBytes)} memory, ${mib(freeMemory > 0n ? freeMemory : 0n)} free`;
  return null;
}

const mib = (bytes: bigint) => `${bytes / 1048576n}Mi`;

/** Spreads load: the fitting host with the most free CPU share wins; ties go to the name, for stable results. */
export function chooseHost(hosts: HostCandidate[], request: PlacementRequest): Placement {
  if (hosts.length === 0) return { ok: false, reason: "no host cluster is registered; an admin must register one" };
  const reasons: string[] = [];
  const fitting: HostCandidate[] = [];
  for (const host of hosts) {
    const reason = whyNot(host, request);
    if (reason) reasons.push(`${host.name}: ${reason}`);
    else fitting.push(host);
  }
  if (fitting.length === 0) return { ok: false, reason: `no host cluster has room: ${reasons.join("; ")}` };
  const freeShare = (h: HostCandidate) =>
    (h.capacityCpuMillis - h.reservedCpuMillis) / Math.max(h.capacityCpuMillis, 1);
  fitting.sort((a, b) => freeShare(b) - freeShare(a) || a.name.localeCompare(b.name));
  return { ok: true, host: fitting[0] };
}
