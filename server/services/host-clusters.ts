import { parse as parseYaml } from "yaml";
import { DEFAULT_CHART_REF, DEFAULT_CHART_VERSION, parseChartSource } from "@/server/adapters/helm/chart-source";
import { assertSafeKubeconfig } from "@/server/adapters/kubernetes/kubeconfig-safety";
import { checkHostPattern } from "@/server/adapters/vcluster/direct-access";
import type { PodSecurityLevel } from "@/server/adapters/vcluster/namespace";
import type { HostInfo } from "@/server/adapters/vcluster/types";
import type { Db } from "@/server/db/client";
import { invalidField } from "@/server/universal/errors";
import type { HostCluster } from "@/server/generated/prisma/client";
import { reservationsByHost } from "@/server/engine/placement/reservations";
import { seal } from "@/server/security/seal";

export interface RegisterHostInput {
  name: string;
  /** admin kubeconfig of the host; sealed before it is stored */
  kubeconfig: string;
  labels?: Record<string, string>;
  /** defaults to what the host reports as allocatable */
  capacityCpuMillis?: number;
  capacityMemoryBytes?: bigint;
  maxVClusters?: number | null;
  /** this host's own chart source (a mirror, an air-gapped copy); null = the portal's VCLUSTER_CHART */
  chartRef?: string | null;
  /** this host's pinned chart version; null = the portal's VCLUSTER_CHART_VERSION */
  chartVersion?: string | null;
  /** direct access to virtual APIs through ingresses at this host name pattern; null = only the portal's gateway */
  directAccessHostPattern?: string | null;
  directAccessIngressClass?: string | null;
  /** the Pod Security Standard enforced on this host's vcluster namespaces (default baseline) */
  podSecurityLevel?: PodSecurityLevel;
}

/** The host's chart settings, checked by the same rules as the portal's; local paths are stored resolved. */
function chartSettings(input: RegisterHostInput): { chartRef: string | null; chartVersion: string | null } {
  const fields = { ref: "chartRef", version: "chartVersion" };
  const ref = input.chartRef?.trim() || null;
  const version = input.chartVersion?.trim() || null;
  const parsed = parseChartSource(ref ?? DEFAULT_CHART_REF, version ?? DEFAULT_CHART_VERSION, fields);
  return { chartRef: ref ? parsed.ref : null, chartVersion: version };
}

interface KubeconfigShape {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string } }[];
  clusters?: { name: string; cluster?: { server?: string } }[];
}

export function serverOfKubeconfig(kubeconfig: string): string {
  assertSafeKubeconfig(kubeconfig);
  let doc: KubeconfigShape;
  try {
    doc = (parseYaml(kubeconfig) ?? {}) as KubeconfigShape;
  } catch {
    throw invalidField("kubeconfig", "is not valid YAML");
  }
  const context = doc.contexts?.find((c) => c.name === doc["current-context"]) ?? doc.contexts?.[0];
  const cluster = doc.clusters?.find((c) => c.name === context?.context?.cluster) ?? doc.clusters?.[0];
  const server = cluster?.cluster?.server;
  if (!server) throw invalidField("kubeconfig", "names no cluster server for its current context");
  return server;
}

/**
 * Registers (or re-registers, by name) a host cluster after proving its credentials work: `probe` must reach it.
 * Nothing is stored for a host that does not answer.
 */
export async function registerHostCluster(
  db: Db,
  credentialsKey: string,
  input: RegisterHostInput,
  probe: (kubeconfig: string) => Promise<HostInfo>,
): Promise<HostCluster> {
  const apiEndpoint = serverOfKubeconfig(input.kubeconfig);
  const chart = chartSettings(input);
  const directAccessHostPattern = input.directAccessHostPattern?.trim()
    ? checkHostPattern(input.directAccessHostPattern)
    : null;
  const info = await probe(input.kubeconfig);
  const data = {
    apiEndpoint,
    credentialsEncrypted: seal(input.kubeconfig, credentialsKey),
    labels: input.labels ?? {},
    capacityCpuMillis: input.capacityCpuMillis ?? info.allocatableCpuMillis,
    capacityMemoryBytes: input.capacityMemoryBytes ?? info.allocatableMemoryBytes,
    maxVClusters: input.maxVClusters ?? null,
    ...chart,
    directAccessHostPattern,
    directAccessIngressClass: directAccessHostPattern ? input.directAccessIngressClass?.trim() || null : null,
    podSecurityLevel: input.podSecurityLevel ?? "baseline",
    health: "HEALTHY" as const,
    healthMessage: `${info.nodes} nodes`,
    kubernetesVersion: info.kubernetesVersion,
    lastHealthCheckAt: new Date(),
  };
  return db.hostCluster.upsert({ where: { name: input.name }, create: { name: input.name, ...data }, update: data });
}

export interface HostView {
  id: string;
  name: string;
  apiEndpoint: string;
  labels: Record<string, string>;
  capacityCpuMillis: number;
  capacityMemoryBytes: bigint;
  maxVClusters: number | null;
  health: HostCluster["health"];
  healthMessage: string | null;
  kubernetesVersion: string | null;
  cordoned: boolean;
  chartRef: string | null;
  chartVersion: string | null;
  directAccessHostPattern: string | null;
  directAccessIngressClass: string | null;
  podSecurityLevel: string;
  lastHealthCheckAt: Date | null;
  vclusterCount: number;
  reservedCpuMillis: number;
  reservedMemoryBytes: bigint;
}

/** Hosts with what the portal has placed on them; credentials never leave the database. */
export async function listHostClusters(db: Db): Promise<HostView[]> {
  const hosts = await db.hostCluster.findMany({ orderBy: { name: "asc" } });
  const reserved = await reservationsByHost(db);
  return hosts.map((h) => {
    const r = reserved.get(h.id);
    return {
      id: h.id,
      name: h.name,
      apiEndpoint: h.apiEndpoint,
      labels: (h.labels ?? {}) as Record<string, string>,
      capacityCpuMillis: h.capacityCpuMillis,
      capacityMemoryBytes: h.capacityMemoryBytes,
      maxVClusters: h.maxVClusters,
      health: h.health,
      healthMessage: h.healthMessage,
      kubernetesVersion: h.kubernetesVersion,
      cordoned: h.cordoned,
      chartRef: h.chartRef,
      chartVersion: h.chartVersion,
      directAccessHostPattern: h.directAccessHostPattern,
      directAccessIngressClass: h.directAccessIngressClass,
      podSecurityLevel: h.podSecurityLevel,
      lastHealthCheckAt: h.lastHealthCheckAt,
      vclusterCount: r?.vclusters ?? 0,
      reservedCpuMillis: r?.cpuMillis ?? 0,
      reservedMemoryBytes: r?.memoryBytes ?? 0n,
    };
  });
}

export async function setHostCordoned(
  db: Db,
  id: string,
  cordoned: boolean,
): Promise<{ id: string; cordoned: boolean }> {
  return db.hostCluster.update({ where: { id }, data: { cordoned }, select: { id: true, cordoned: true } });
}
