/** The vcluster's host namespace, created before `helm upgrade --install` so it carries the portal's labels. */
import type { V1Namespace } from "@kubernetes/client-node";
import { portalLabels } from "./labels";
import type { HostSpec, VClusterTarget } from "./types";

/** User labels first: the portal's own (project, vcluster id, managed) always win, so they cannot be spoofed. */
export function renderNamespace(target: VClusterTarget, spec: HostSpec): V1Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: target.namespace, labels: { ...spec.labels, ...portalLabels(target) } } };
}
