/**
 * The one schema for a vcluster's spec, shared by the create wizard (field errors inline) and the server (which
 * adds checks that need the database). Every message names the rule; the path names the field.
 */
import { z } from "zod";
import { parseCpuMillis, parseMemoryBytes } from "./quantity";
import { parseCidr } from "./cidr";
import { checkHelmValues } from "./helm-values";
import { DEFAULT_KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from "./kubernetes-versions";

export { SUPPORTED_KUBERNETES_VERSIONS } from "./kubernetes-versions";
export const DISTROS = ["k8s"] as const;
/** vcluster derives object names from the vcluster's, so it refuses names longer than this. */
export const MAX_NAME_LENGTH = 52;
export const MAX_REPLICAS = 5;
export const HA_REPLICAS = 3;

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsName = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const fqdn = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
/**
 * An OCI image reference ([registry[:port]/]path[:tag][@sha256:digest]). The chart writes a plugin's image into its
 * pod template unquoted, so anything outside this grammar (spaces, newlines, quotes) is refused, not escaped.
 */
const imageReference =
  /^(?=.{1,255}$)([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:[0-9]{1,5})?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export const vclusterNameSchema = z
  .string()
  .min(1, "name is required")
  .max(MAX_NAME_LENGTH, `name may be at most ${MAX_NAME_LENGTH} characters (vcluster's limit)`)
  .regex(
    dns1123Label,
    "name must be lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123)",
  );

function quantity(kind: "cpu" | "memory", label: string) {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const parsed = kind === "cpu" ? BigInt(parseCpuMillis(value)) : parseMemoryBytes(value);
          return parsed > 0n;
        } catch {
          return false;
        }
      },
      {
        message: `${label} must be a positive Kubernetes quantity (e.g. ${kind === "cpu" ? "500m or 2" : "512Mi or 2Gi"})`,
      },
    );
}

const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** How many labels and annotations one vcluster may carry, and how large its annotations may be in all (kube-apiserver's limit is 256 KiB). */
export const MAX_LABELS = 64;
export const MAX_ANNOTATIONS = 64;
export const MAX_ANNOTATION_BYTES = 256 * 1024;

export const labelsSchema = z
  .record(
    z.string().regex(labelKey, "label keys must be Kubernetes label names (prefix/name)"),
    z
      .string()
      .max(63, "label values may be at most 63 characters")
      .regex(
        /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
        "label values must be empty or alphanumeric with '-', '_', '.' inside",
      ),
  )
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`)
  .default({});

export const annotationsSchema = z
  .record(z.string().max(253), z.string().max(4096, "annotation values may be at most 4096 characters"))
  .refine((a) => Object.keys(a).length <= MAX_ANNOTATIONS, `at most ${MAX_ANNOTATIONS} annotations`)
  .refine(
    (a) => Object.entries(a).reduce((n, [k, v]) => n + k.length + v.length, 0) <= MAX_ANNOTATION_BYTES,
    `annotations may be at most ${MAX_ANNOTATION_BYTES} bytes in all`,
  )
  .default({});

const cidr = (label: string) =>
  z
    .string()
    .trim()
    .refine((v) => parseCidr(v) !== null, {
      message: `${label} must be an IPv4 CIDR like 10.244.0.0/16, with no host bits set`,
    });

export const resourcesSchema = z.object({
  cpuRequest: quantity("cpu", "CPU request").default("200m"),
  cpuLimit: quantity("cpu", "CPU limit").default("1"),
  memoryRequest: quantity("memory", "memory request").default("256Mi"),
  memoryLimit: quantity("memory", "memory limit").default("1Gi"),
});

export const dnsSchema = z
  .object({ clusterDomain: z.string().regex(dnsName, "clusterDomain must be a DNS name").default("cluster.local") })
  .default({ clusterDomain: "cluster.local" });

export const networkSchema = z
  .object({
    podCidr: cidr("podCidr").optional(),
    serviceCidr: cidr("serviceCidr").optional(),
    enableNetworkPolicies: z.boolean().default(false),
    dns: dnsSchema,
  })
  .default({ enableNetworkPolicies: false, dns: { clusterDomain: "cluster.local" } });

export const storageSchema = z
  .object({
    defaultStorageClass: z.string().regex(dns1123Label, "defaultStorageClass must be a storage class name").optional(),
    // on by default, as the chart's `auto` is for embedded SQLite: without a volume the state lives in an emptyDir
    // and a resume, a rollout or an evicted pod starts the virtual cluster empty
    enablePersistence: z.boolean().default(true),
    persistenceSize: quantity("memory", "persistenceSize").default("5Gi"),
  })
  .default({ enablePersistence: true, persistenceSize: "5Gi" });

export const syncSchema = z
  .object({
    toHost: z
      .object({ ingresses: z.boolean().default(false), persistentVolumeClaims: z.boolean().default(true) })
      .default({ ingresses: false, persistentVolumeClaims: true }),
    fromHost: z
      .object({ nodes: z.boolean().default(false), storageClasses: z.boolean().default(true) })
      .default({ nodes: false, storageClasses: true }),
  })
  .default({
    toHost: { ingresses: false, persistentVolumeClaims: true },
    fromHost: { nodes: false, storageClasses: true },
  });

export const pluginsSchema = z
  .array(
    z.object({
      name: z
        .string()
        .regex(dns1123Label, "plugin name must be a DNS-1123 label")
        .max(63, "plugin name may be at most 63 characters"),
      image: z
        .string()
        .min(1, "plugin image is required")
        .regex(imageReference, "plugin image must be an image reference like ghcr.io/org/plugin:1.0"),
    }),
  )
  .max(10, "at most 10 plugins")
  .refine((plugins) => new Set(plugins.map((p) => p.name)).size === plugins.length, {
    message: "plugin names must be unique",
  })
  .default([]);

export const ingressSchema = z
  .object({
    enabled: z.boolean().default(false),
    host: z.string().regex(fqdn, "ingress.host must be a fully qualified host name").optional(),
    ingressClassName: z
      .string()
      .regex(dns1123Label, "ingressClassName must be a DNS-1123 label")
      .max(63, "ingressClassName may be at most 63 characters")
      .optional(),
  })
  .default({ enabled: false });

export const specSchema = z
  .object({
    kubernetesVersion: z
      .enum(SUPPORTED_KUBERNETES_VERSIONS, {
        message: `kubernetesVersion must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
      })
      .default(DEFAULT_KUBERNETES_VERSION),
    distro: z
      .enum(DISTROS, { message: "distro must be k8s (recent vcluster charts ship only the k8s distro)" })
      .default("k8s"),
    resources: resourcesSchema.default({
      cpuRequest: "200m",
      cpuLimit: "1",
      memoryRequest: "256Mi",
      memoryLimit: "1Gi",
    }),
    replicas: z
      .number()
      .int("replicas must be a whole number")
      .min(1, "replicas must be at least 1")
      .max(MAX_REPLICAS, `replicas may be at most ${MAX_REPLICAS}`)
      .default(1),
    enableHa: z.boolean().default(false),
    network: networkSchema,
    storage: storageSchema,
    sync: syncSchema,
    plugins: pluginsSchema,
    ingress: ingressSchema,
    helmValues: z.string().max(64_000, "helmValues may be at most 64 kB").default(""),
  })
  .superRefine((spec, ctx) => {
    const r = spec.resources;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    try {
      if (parseCpuMillis(r.cpuRequest) > parseCpuMillis(r.cpuLimit))
        issue(["resources", "cpuRequest"], "CPU request must not exceed the CPU limit");
    } catch {
      /* the field's own rule already reported it */
    }
    try {
      if (parseMemoryBytes(r.memoryRequest) > parseMemoryBytes(r.memoryLimit))
        issue(["resources", "memoryRequest"], "memory request must not exceed the memory limit");
    } catch {
      /* the field's own rule already reported it */
    }
    if (spec.enableHa && spec.replicas < 2)
      issue(
        ["replicas"],
        `high availability runs 2 to ${MAX_REPLICAS} control plane replicas (${HA_REPLICAS} by default)`,
      );
    if (!spec.enableHa && spec.replicas > 1)
      issue(
        ["replicas"],
        "more than 1 replica needs enableHa: without it the state is in embedded SQLite, which runs exactly 1 replica",
      );
    // Without private nodes, vcluster's pods get their IPs from the host's network; the chart's networking.podCIDR
    // only takes effect with privateNodes.enabled (pkg/k8s/k8s.go), which the portal does not run.
    if (spec.network.podCidr)
      issue(
        ["network", "podCidr"],
        "podCidr cannot be set: pods use the host's pod network (vcluster applies networking.podCIDR only with private nodes)",
      );
    if (spec.ingress.enabled && !spec.ingress.host)
      issue(["ingress", "host"], "ingress.host is required when the ingress is enabled");
    if (!spec.ingress.enabled && spec.ingress.host)
      issue(
        ["ingress", "host"],
        "ingress.host takes effect only with ingress.enabled; enable the ingress or leave the host unset",
      );
    if (!spec.ingress.enabled && spec.ingress.ingressClassName)
      issue(["ingress", "ingressClassName"], "ingress.ingressClassName takes effect only with ingress.enabled");
    const helm = checkHelmValues(spec.helmValues);
    if (helm) issue(["helmValues"], helm);
  });

export type VClusterSpecInput = z.input<typeof specSchema>;
export type VClusterSpec = z.output<typeof specSchema>;

export const createVClusterInputSchema = z.object({
  projectId: z.string().min(1, "projectId is required"),
  name: vclusterNameSchema,
  labels: labelsSchema,
  annotations: annotationsSchema,
  spec: specSchema.default(specSchema.parse({})),
  /** on top of the project's host selector */
  hostSelector: z.record(z.string(), z.string()).default({}),
  idempotencyKey: z.string().min(8, "idempotencyKey must be at least 8 characters").max(128).optional(),
});

export type CreateVClusterInput = z.input<typeof createVClusterInputSchema>;
