import type { Phase } from "../cluster-types";

const COLOURS: Record<Phase, string> = {
  PENDING: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200",
  CREATING: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  RUNNING: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  SCALING: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  UPDATING: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  SUSPENDED: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200",
  RESUMING: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  SNAPSHOTTING: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-200",
  RESTORING: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-200",
  DELETING: "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-200",
  ERROR: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
};

export function PhaseBadge({ phase }: { phase: Phase }) {
  return (
    <span
      data-testid="phase"
      data-phase={phase}
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ${COLOURS[phase]}`}
    >
      {phase}
    </span>
  );
}
