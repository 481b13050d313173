/**
 * The vcluster's host namespace, created before `helm upgrade --install` so it carries the portal's labels. What a
 * tenant labels its vcluster with reaches the host only through an allow-list (keys without a prefix: `team`,
 * `env`, …); prefixed keys are where Kubernetes and controllers read meaning (`pod-security.kubernetes.io/enforce`
 * would switch Pod Security Admission off). The portal sets the Pod Security labels itself, from the host cluster's
 * setting (https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces).
 */
import type { V1Namespace } from "@kubernetes/client-node";
import { portalLabels } from "./labels";
import type { HostSpec, VClusterTarget } from "./types";

export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** Only unprefixed label keys are the tenant's to set on host objects. */
export const reachesHost = (key: string) => !key.includes("/");

export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return Object.fromEntries(
    ["enforce", "audit", "warn"].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, level],
      [`pod-security.kubernetes.io/${mode}-version`, "latest"],
    ]),
  );
}

export function renderNamespace(target: VClusterTarget, spec: HostSpec, podSecurity: PodSecurityLevel): V1Namespace {
  const tenant = Object.fromEntries(Object.entries(spec.labels).filter(([key]) => reachesHost(key)));
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: target.namespace,
      labels: { ...tenant, ...podSecurityLabels(podSecurity), ...portalLabels(target) },
    },
  };
}
