import { parse as parseYaml } from "yaml";
import type { HostInfo } from "@/server/adapters/vcluster/types";
import type { Db } from "@/server/db/client";
import { invalidField } from "@/server/errors";
import type { HostCluster } from "@/server/generated/prisma/client";
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
}

interface KubeconfigShape {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string } }[];
  clusters?: { name: string; cluster?: { server?: string } }[];
}

export function serverOfKubeconfig(kubeconfig: string): string {
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
  const info = await probe(input.kubeconfig);
  const data = {
    apiEndpoint,
    credentialsEncrypted: seal(input.kubeconfig, credentialsKey),
    labels: input.labels ?? {},
    capacityCpuMillis: input.capacityCpuMillis ?? info.allocatableCpuMillis,
    capacityMemoryBytes: input.capacityMemoryBytes ?? info.allocatableMemoryBytes,
    maxVClusters: input.maxVClusters ?? null,
    health: "HEALTHY" as const,
    healthMessage: `${info.nodes} nodes`,
    kubernetesVersion: info.kubernetesVersion,
    lastHealthCheckAt: new Date(),
  };
  return db.hostCluster.upsert({ where: { name: input.name }, create: { name: input.name, ...data }, update: data });
}
