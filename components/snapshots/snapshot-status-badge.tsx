import type { SnapshotView } from "./snapshot-types";

const COLOURS: Record<SnapshotView["status"], string> = {
  CREATING: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  READY: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  FAILED: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
  DELETING: "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-200",
};

export function SnapshotStatusBadge({ status }: { status: SnapshotView["status"] }) {
  return (
    <span
      data-testid="snapshot-status"
      data-status={status}
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ${COLOURS[status]}`}
    >
      {status}
    </span>
  );
}
