import { z } from "zod";
import { POD_SECURITY_LEVELS } from "@/server/adapters/vcluster/namespace";
import { probeHostCluster } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import { env } from "@/server/env";
import { listHostClusters, registerHostCluster, setHostCordoned } from "@/server/services/host-clusters";
import { createTRPCRouter, mutation, query } from "../trpc";
import { idSchema } from "../schemas";
import { labelsSchema } from "@/server/universal/vcluster-spec";

export const hostViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  apiEndpoint: z.string(),
  labels: z.record(z.string(), z.string()),
  capacityCpuMillis: z.number().int(),
  capacityMemoryBytes: z.bigint(),
  maxVClusters: z.number().int().nullable(),
  health: z.enum(["UNKNOWN", "HEALTHY", "UNREACHABLE"]),
  healthMessage: z.string().nullable(),
  kubernetesVersion: z.string().nullable(),
  cordoned: z.boolean(),
  chartRef: z.string().nullable(),
  chartVersion: z.string().nullable(),
  directAccessHostPattern: z.string().nullable(),
  directAccessIngressClass: z.string().nullable(),
  podSecurityLevel: z.string(),
  lastHealthCheckAt: z.date().nullable(),
  vclusterCount: z.number().int(),
  reservedCpuMillis: z.number().int(),
  reservedMemoryBytes: z.bigint(),
});

export const registerHostInputSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "name must be a DNS label (lower-case letters, digits, '-')"),
  kubeconfig: z.string().min(1, "kubeconfig is required").max(256_000, "kubeconfig is too large"),
  // the same Kubernetes label rules as a vcluster's: a host selector matches one against the other
  labels: labelsSchema,
  capacityCpuMillis: z.number().int().positive("capacityCpuMillis must be positive").optional(),
  capacityMemoryBytes: z.bigint().positive("capacityMemoryBytes must be positive").optional(),
  maxVClusters: z.number().int().min(1, "maxVClusters must be at least 1").nullable().default(null),
  /** a chart repository URL, oci:// reference or local path for this host; null = the portal's VCLUSTER_CHART */
  chartRef: z.string().max(2048, "chartRef may be at most 2048 characters").nullable().default(null),
  /** the chart version this host pins; null = the portal's VCLUSTER_CHART_VERSION */
  chartVersion: z.string().max(64, "chartVersion may be at most 64 characters").nullable().default(null),
  /** direct access to virtual APIs through ingresses at this host name pattern, e.g. `{namespace}.vc.example.com`; null = only the gateway */
  directAccessHostPattern: z
    .string()
    .max(253, "directAccessHostPattern may be at most 253 characters")
    .nullable()
    .default(null),
  directAccessIngressClass: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "directAccessIngressClass must be a Kubernetes object name")
    .nullable()
    .default(null),
  /** the Pod Security Standard enforced on every vcluster namespace of this host */
  podSecurityLevel: z
    .enum(POD_SECURITY_LEVELS, { message: "podSecurityLevel must be privileged, baseline or restricted" })
    .default("baseline"),
});

export const hostClusterRouter = createTRPCRouter({
  list: query({ scope: "platform" })
    .output(z.array(hostViewSchema))
    .query(({ ctx }) => listHostClusters(ctx.db)),
  register: mutation({ scope: "platform", audit: { action: "host.register", targetType: "hostCluster" } })
    .input(registerHostInputSchema)
    .output(z.object({ id: z.string(), name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const host = await registerHostCluster(ctx.db, env().HOST_CREDENTIALS_KEY, input, (kubeconfig) =>
        probeHostCluster(kubeconfig),
      );
      return { id: host.id, name: host.name };
    }),
  setCordoned: mutation({
    scope: "platform",
    audit: { action: "host.cordon", targetType: "hostCluster" },
    openapi: {
      method: "POST",
      path: "/host-clusters/{id}/cordon",
      operationId: "setHostCordoned",
      summary: "Cordon or uncordon a host cluster (platform admins)",
      tags: ["hostClusters"],
    },
  })
    .input(z.object({ id: idSchema, cordoned: z.boolean() }))
    .output(z.object({ id: z.string(), cordoned: z.boolean() }))
    .mutation(({ ctx, input }) => setHostCordoned(ctx.db, input.id, input.cordoned)),
});
