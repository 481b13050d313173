import type { Action, Phase } from "../cluster-types";

export const ACTION_LABELS: Record<Action, string> = {
  scale: "Scale",
  update: "Edit",
  suspend: "Suspend",
  resume: "Resume",
  snapshot: "Snapshot",
  restore: "Restore",
  delete: "Delete",
  forceDelete: "Force delete",
  recover: "Recover",
};

/**
 * `vcluster.snapshot` and `vcluster.restore` answer NOT_IMPLEMENTED until the SnapshotService lands; the buttons
 * stay visible (disabled, with this reason) so users know the feature is coming. Switch off when it lands.
 */
export const SNAPSHOTS_UNAVAILABLE = "Snapshots are not available yet in this version of the portal.";
const SNAPSHOT_ACTIONS: ReadonlySet<Action> = new Set(["snapshot", "restore"]);

/** Why an action cannot be taken now, in words for a tooltip; null when it can. */
export function whyNot(action: Action, phase: Phase, allowed: readonly Action[]): string | null {
  if (SNAPSHOT_ACTIONS.has(action)) return SNAPSHOTS_UNAVAILABLE;
  if (allowed.includes(action)) return null;
  const offer = allowed.filter((a) => !SNAPSHOT_ACTIONS.has(a)).map((a) => ACTION_LABELS[a]);
  return `${ACTION_LABELS[action]} is not possible while the cluster is ${phase}.${offer.length ? ` Possible now: ${offer.join(", ")}.` : " Wait for the current operation to finish."}`;
}
