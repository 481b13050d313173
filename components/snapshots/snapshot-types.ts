import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Outputs = inferRouterOutputs<AppRouter>;

export type SnapshotView = Outputs["snapshot"]["list"][number];
export type SnapshotPolicy = Outputs["snapshot"]["policy"];

/** Snapshots still being written or removed: lists poll while any is. */
export function inFlight(snapshots: readonly SnapshotView[] | undefined): boolean {
  return (snapshots ?? []).some((s) => s.status === "CREATING" || s.status === "DELETING");
}

export const PV_NOTE =
  "Snapshots hold the virtual cluster's Kubernetes objects; data in persistent volumes is not part of them.";
