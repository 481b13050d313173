/**
 * Optional direct access to a virtual API, a host cluster setting: the chart's control-plane ingress at a host
 * name made from the host's pattern, so clients that can reach the host's ingress controller use the vcluster's
 * own kubeconfig (Secret vc-NAME, shared admin credentials) without the portal. The ingress is TLS passthrough to
 * the syncer's proxy (chart `templates/ingress.yaml`), so the certificate must name that host (values.ts adds it
 * to controlPlane.proxy.extraSANs and writes it into exportKubeConfig.server).
 */
import { invalidField } from "@/server/universal/errors";
import type { HostSpec, VClusterTarget } from "./types";

export interface DirectAccess {
  /** e.g. `{namespace}.vc.example.com`; `{namespace}` makes each vcluster's name its own */
  hostPattern: string;
  ingressClassName: string | null;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/** The pattern as an admin gives it, refused with the field and the rule. */
export function checkHostPattern(pattern: string, field = "directAccessHostPattern"): string {
  const trimmed = pattern.trim().toLowerCase();
  if (!trimmed.includes("{namespace}"))
    throw invalidField(field, "must contain {namespace}, so that every vcluster gets a host name of its own");
  const sample = trimmed.replaceAll("{namespace}", "vc-sample-0a1b2c").replaceAll("{name}", "sample");
  if (/[{}]/.test(sample)) throw invalidField(field, "may use only the placeholders {namespace} and {name}");
  if (!DNS_NAME.test(sample))
    throw invalidField(
      field,
      "must give a DNS name with at least two labels (lower-case letters, digits, '-', '.'), e.g. {namespace}.vc.example.com",
    );
  return trimmed;
}

export const directHost = (access: DirectAccess, target: VClusterTarget) =>
  access.hostPattern.replaceAll("{namespace}", target.namespace).replaceAll("{name}", target.name);

/** The spec with the host's ingress, unless the vcluster asked for an ingress of its own. */
export function withDirectAccess(spec: HostSpec, target: VClusterTarget, access: DirectAccess | null): HostSpec {
  if (!access || spec.ingress.enabled) return spec;
  return {
    ...spec,
    ingress: { enabled: true, host: directHost(access, target), ingressClassName: access.ingressClassName },
  };
}
