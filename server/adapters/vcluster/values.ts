/**
 * The vcluster.yaml for the Helm installer: the user's values with the portal-owned keys merged over them, so the
 * chart creates the same objects the manifests installer applies.
 */
import YAML from "yaml";
import { AppError } from "@/server/errors";
import { controlPlaneResources, namespaceBudget, persistenceSize, versionTag } from "./manifests";
import type { HostSpec } from "./types";

type Values = Record<string, unknown>;

export interface ValuesOptions {
  /** a server address reachable from outside the host, written into the exported kubeconfig */
  exportKubeConfigServer?: string;
}

function isPlainObject(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Recursive merge where `over` wins; arrays and scalars are replaced, not merged. */
export function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

export function portalValues(spec: HostSpec, options: ValuesOptions = {}): Values {
  if (spec.distro !== "k8s") throw new AppError("INVALID", `distro "${spec.distro}" is not supported: recent vcluster charts ship only the k8s distro`);
  const budget = namespaceBudget(spec);
  const networking: Values = {};
  if (spec.podCidr) networking.podCIDR = spec.podCidr;
  if (spec.serviceCidr) networking.serviceCIDR = spec.serviceCidr;
  return {
    sync: { toHost: { pods: { enabled: true } } },
    controlPlane: {
      distro: { k8s: { enabled: true, image: { tag: versionTag(spec.kubernetesVersion) } } },
      statefulSet: {
        resources: controlPlaneResources(spec),
        highAvailability: { replicas: spec.replicas },
        persistence: {
          volumeClaim: {
            enabled: spec.enablePersistence,
            ...(spec.enablePersistence ? { size: persistenceSize(spec), ...(spec.defaultStorageClass ? { storageClass: spec.defaultStorageClass } : {}) } : {}),
          },
        },
      },
    },
    networking,
    policies: {
      resourceQuota: { enabled: true, quota: budget.quota },
      limitRange: { enabled: true, default: budget.limitDefault, defaultRequest: budget.limitDefaultRequest },
      networkPolicy: { enabled: spec.enableNetworkPolicies },
    },
    exportKubeConfig: options.exportKubeConfigServer ? { server: options.exportKubeConfigServer } : {},
  };
}

/** The values file for `helm upgrade --install`: user values first, portal-owned keys merged last. */
export function renderValues(spec: HostSpec, options: ValuesOptions = {}): string {
  const parsed: unknown = spec.helmValues.trim() ? YAML.parse(spec.helmValues) : {};
  if (parsed !== null && !isPlainObject(parsed)) throw new AppError("INVALID", "helmValues must be a YAML mapping");
  return YAML.stringify(deepMerge(parsed ?? {}, portalValues(spec, options)));
}
