/** Label and annotation keys shared by the renderers, the adapter and the watch; values follow real vcluster. */
import type { VClusterTarget } from "./types";

export const PROJECT_LABEL = "open-vcluster.io/project";
export const VCLUSTER_ID_LABEL = "open-vcluster.io/vcluster-id";
export const MANAGED_LABEL = "open-vcluster.io/managed";

export const PAUSED_ANNOTATION = "loft.sh/paused";
export const PAUSED_REPLICAS_ANNOTATION = "loft.sh/paused-replicas";
export const PAUSED_DATE_ANNOTATION = "loft.sh/paused-date";
/** set instead of loft.sh/paused while `vcluster restore` runs (pkg/constants: PausedAnnotation(true)) */
export const RESTORING_ANNOTATION = "loft.sh/restoring";
/** set on host pods the vcluster syncer created for workloads inside the virtual cluster */
export const MANAGED_BY_LABEL = "vcluster.loft.sh/managed-by";

export function controlPlaneSelector(name: string): string {
  return `app=vcluster,release=${name}`;
}

export function portalLabels(target: VClusterTarget): Record<string, string> {
  return { [PROJECT_LABEL]: target.projectId, [VCLUSTER_ID_LABEL]: target.vclusterId, [MANAGED_LABEL]: "true" };
}

export function kubeconfigSecretName(name: string): string {
  return `vc-${name}`;
}
