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

/** Why an action cannot be taken now, in words for a tooltip; null when it can. */
export function whyNot(action: Action, phase: Phase, allowed: readonly Action[]): string | null {
  if (allowed.includes(action)) return null;
  const offer = allowed.map((a) => ACTION_LABELS[a]);
  return `${ACTION_LABELS[action]} is not possible while the cluster is ${phase}.${offer.length ? ` Possible now: ${offer.join(", ")}.` : " Wait for the current operation to finish."}`;
}
