import type { HostStatus } from "@/server/adapters/vcluster/types";
import type { VClusterPhase } from "@/server/generated/prisma/client";
import type { Condition } from "@/server/universal/conditions";

/**
 * Whether the host still matches what the portal decided: someone may have scaled, paused or deleted the control
 * plane behind the portal's back. Null while an operation is changing things on purpose.
 */
export function observeDrift(
  phase: VClusterPhase,
  replicas: number,
  status: HostStatus,
): Omit<Condition, "lastTransitionTime"> | null {
  const inSync = {
    type: "Drift",
    status: "False" as const,
    reason: "InSync",
    message: "the host matches the portal's desired state",
  };
  if (phase === "RUNNING") {
    if (!status.installed)
      return {
        type: "Drift",
        status: "True",
        reason: "ControlPlaneMissing",
        message: "the control plane (Deployment or StatefulSet) is gone from the host",
      };
    if (status.paused)
      return {
        type: "Drift",
        status: "True",
        reason: "PausedOutsidePortal",
        message: "the control plane was paused outside the portal",
      };
    if (status.desiredReplicas !== replicas) {
      return {
        type: "Drift",
        status: "True",
        reason: "ReplicasChanged",
        message: `the control plane was set to ${status.desiredReplicas} replicas outside the portal; the portal wants ${replicas}`,
      };
    }
    return inSync;
  }
  if (phase === "SUSPENDED") {
    if (status.installed && !status.paused && status.desiredReplicas > 0) {
      return {
        type: "Drift",
        status: "True",
        reason: "ResumedOutsidePortal",
        message: "the control plane was resumed outside the portal",
      };
    }
    return inSync;
  }
  return null;
}
