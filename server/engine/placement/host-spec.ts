import type { z } from "zod";
import type { HostSpec, VClusterTarget } from "@/server/adapters/vcluster/types";
import { AppError } from "@/server/universal/errors";
import type { VCluster } from "@/server/generated/prisma/client";
import { dnsSchema, ingressSchema, pluginsSchema, syncSchema } from "@/server/universal/vcluster-spec";

export function targetOf(vcluster: Pick<VCluster, "id" | "projectId" | "name" | "namespace">): VClusterTarget {
  return { vclusterId: vcluster.id, projectId: vcluster.projectId, name: vcluster.name, namespace: vcluster.namespace };
}

/** A JSON column read through the spec's own schema: its defaults fill rows written before the field existed. */
function column<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const parsed = schema.safeParse(value ?? undefined);
  if (!parsed.success)
    throw new AppError(
      "INTERNAL",
      `the stored ${field} does not match the spec schema: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  return parsed.data;
}

/** The spec columns of a VCluster row, or of a request not yet stored (the dry run); JSON columns are read through their schemas. */
export type SpecColumns = Pick<
  VCluster,
  | "kubernetesVersion"
  | "distro"
  | "replicas"
  | "enableHa"
  | "cpuRequestMillis"
  | "cpuLimitMillis"
  | "memoryRequestBytes"
  | "memoryLimitBytes"
  | "enablePersistence"
  | "persistenceSizeBytes"
  | "defaultStorageClass"
  | "serviceCidr"
  | "enableNetworkPolicies"
  | "helmValues"
> & { dns: unknown; sync: unknown; plugins: unknown; ingress: unknown; labels: unknown };

export function hostSpecOf(vcluster: SpecColumns): HostSpec {
  const ingress = column(ingressSchema, vcluster.ingress, "spec.ingress");
  return {
    kubernetesVersion: vcluster.kubernetesVersion,
    distro: vcluster.distro,
    replicas: vcluster.replicas,
    enableHa: vcluster.enableHa,
    cpuRequestMillis: vcluster.cpuRequestMillis,
    cpuLimitMillis: vcluster.cpuLimitMillis,
    memoryRequestBytes: vcluster.memoryRequestBytes,
    memoryLimitBytes: vcluster.memoryLimitBytes,
    enablePersistence: vcluster.enablePersistence,
    persistenceSizeBytes: vcluster.persistenceSizeBytes,
    defaultStorageClass: vcluster.defaultStorageClass,
    serviceCidr: vcluster.serviceCidr,
    enableNetworkPolicies: vcluster.enableNetworkPolicies,
    clusterDomain: column(dnsSchema, vcluster.dns, "spec.network.dns").clusterDomain,
    sync: column(syncSchema, vcluster.sync, "spec.sync"),
    plugins: column(pluginsSchema, vcluster.plugins, "spec.plugins"),
    ingress: {
      enabled: ingress.enabled,
      host: ingress.host ?? null,
      ingressClassName: ingress.ingressClassName ?? null,
    },
    helmValues: vcluster.helmValues,
    labels: (vcluster.labels ?? {}) as Record<string, string>,
  };
}
