/**
 * The vcluster.yaml for `helm upgrade --install`: every spec field written to the chart value that carries it, over
 * the user's allow-listed helmValues. Pure, so the dry run shows exactly the file an install would use.
 */
import { invalidField } from "@/server/universal/errors";
import { writeGoYaml } from "@/server/universal/go-yaml";
import { parseHelmValues } from "@/server/universal/helm-values";
import { imageTagFor } from "@/server/universal/kubernetes-versions";
import { DEPLOYED_ETCD_REPLICAS, usesDeployedEtcd } from "./backing-store";
import { controlPlaneResources, namespaceBudget, persistenceSize } from "./budget";
import type { HostSpec } from "./types";

type Values = Record<string, unknown>;

export interface ValuesOptions {
  /** the chart release the file is for: it decides the Kubernetes image tag (server/universal/kubernetes-versions.ts) */
  chartVersion: string;
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

/** The volume for the vcluster's data; `enabled` is always explicit, since the chart's "auto" makes one for SQLite. */
function volumeClaim(spec: HostSpec): Values {
  if (!spec.enablePersistence) return { enabled: false };
  return {
    enabled: true,
    size: persistenceSize(spec),
    ...(spec.defaultStorageClass ? { storageClass: spec.defaultStorageClass } : {}),
  };
}

/**
 * Without persistence the data lives in an emptyDir and is lost with the pod. With several replicas the state is in
 * the deployed etcd, so that is where the volume goes; the control plane itself then keeps nothing worth a volume.
 */
function storeValues(spec: HostSpec): { persistence: Values; backingStore?: Values } {
  if (!usesDeployedEtcd(spec)) return { persistence: { volumeClaim: volumeClaim(spec) } };
  return {
    persistence: { volumeClaim: { enabled: false } },
    backingStore: {
      etcd: {
        deploy: {
          enabled: true,
          statefulSet: {
            highAvailability: { replicas: DEPLOYED_ETCD_REPLICAS },
            persistence: { volumeClaim: volumeClaim(spec) },
          },
        },
      },
    },
  };
}

function ingressValues(spec: HostSpec): Values {
  const { enabled, host, ingressClassName } = spec.ingress;
  if (!enabled) return { ingress: { enabled: false } };
  if (!host) throw invalidField("spec.ingress.host", "is required when the ingress is enabled");
  return {
    ingress: { enabled: true, host, ...(ingressClassName ? { spec: { ingressClassName } } : {}) },
    // the proxy's certificate must name the host clients reach it by, or TLS through the ingress fails
    proxy: { extraSANs: [host] },
  };
}

function pluginValues(spec: HostSpec): Values {
  return Object.fromEntries(spec.plugins.map((p) => [p.name, { image: p.image }]));
}

/** Where vc-NAME's kubeconfig points: a given server, else the ingress's host (the same name the certificate carries). */
function exportServer(spec: HostSpec, options: ValuesOptions): string | undefined {
  return (
    options.exportKubeConfigServer ??
    (spec.ingress.enabled && spec.ingress.host ? `https://${spec.ingress.host}` : undefined)
  );
}

export function portalValues(spec: HostSpec, options: ValuesOptions): Values {
  if (spec.distro !== "k8s")
    throw invalidField(
      "spec.distro",
      `"${spec.distro}" is not supported: recent vcluster charts ship only the k8s distro`,
    );
  const budget = namespaceBudget(spec);
  const store = storeValues(spec);
  const ingress = ingressValues(spec);
  return {
    sync: {
      toHost: {
        pods: { enabled: true },
        ingresses: { enabled: spec.sync.toHost.ingresses },
        persistentVolumeClaims: { enabled: spec.sync.toHost.persistentVolumeClaims },
      },
      // storageClasses takes "auto" too; the spec is a yes or no, so the value is always an explicit boolean
      fromHost: {
        nodes: { enabled: spec.sync.fromHost.nodes },
        storageClasses: { enabled: spec.sync.fromHost.storageClasses },
      },
    },
    controlPlane: {
      distro: { k8s: { enabled: true, image: { tag: imageTagFor(spec.kubernetesVersion, options.chartVersion) } } },
      statefulSet: {
        resources: controlPlaneResources(spec),
        highAvailability: { replicas: spec.replicas },
        persistence: store.persistence,
      },
      ...(store.backingStore ? { backingStore: store.backingStore } : {}),
      ...ingress,
    },
    networking: {
      ...(spec.serviceCidr ? { serviceCIDR: spec.serviceCidr } : {}),
      advanced: { clusterDomain: spec.clusterDomain },
    },
    policies: {
      resourceQuota: { enabled: true, quota: budget.quota },
      limitRange: { enabled: true, default: budget.limitDefault, defaultRequest: budget.limitDefaultRequest },
      networkPolicy: { enabled: spec.enableNetworkPolicies },
    },
    ...(spec.plugins.length ? { plugins: pluginValues(spec) } : {}),
    exportKubeConfig: exportServer(spec, options) ? { server: exportServer(spec, options) } : {},
  };
}

/**
 * The values file for `helm upgrade --install`: user values first, portal-owned keys merged last. The user's values
 * are checked again here, so a row stored under older rules cannot install anything the allow-list refuses now.
 */
export function renderValues(spec: HostSpec, options: ValuesOptions): string {
  const user = parseHelmValues(spec.helmValues);
  if (!user.ok) throw invalidField("spec.helmValues", user.message);
  return writeGoYaml(deepMerge(user.values, portalValues(spec, options)));
}
