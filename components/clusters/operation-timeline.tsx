import type { Operation } from "../cluster-types";
import { formatDate } from "../format";

const STATE_COLOURS: Record<Operation["state"], string> = {
  QUEUED: "bg-slate-400",
  RUNNING: "bg-sky-500",
  SUCCEEDED: "bg-emerald-500",
  FAILED: "bg-red-500",
  CANCELLED: "bg-slate-300",
};

export function isActive(op: Operation): boolean {
  return op.state === "QUEUED" || op.state === "RUNNING";
}

/** What ran, when, by whom and how it ended; running operations show their step and progress. */
export function OperationTimeline({ operations }: { operations: Operation[] }) {
  if (operations.length === 0) return <p className="text-sm text-slate-500">No operations yet.</p>;
  return (
    <ol className="relative space-y-4 border-l border-slate-200 pl-4 dark:border-slate-800">
      {operations.map((op) => (
        <li key={op.id} data-testid="operation" data-kind={op.kind} data-state={op.state} className="text-sm">
          <span className={`absolute -left-[5px] mt-1.5 size-2.5 rounded-full ${STATE_COLOURS[op.state]}`} />
          <p>
            <span className="font-medium">{op.kind.replace("_", " ").toLowerCase()}</span> · {op.state.toLowerCase()}
            {op.attempts > 1 ? ` after ${op.attempts} attempts` : ""}
          </p>
          <p className="text-xs text-slate-500">
            {formatDate(op.createdAt)}
            {op.requestedBy ? ` by ${op.requestedBy}` : ""}
            {op.finishedAt
              ? ` · took ${Math.max(0, Math.round((op.finishedAt.getTime() - (op.startedAt ?? op.createdAt).getTime()) / 1000))} s`
              : ""}
          </p>
          {isActive(op) && (
            <div className="mt-1 max-w-sm">
              <div
                className="h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
                role="progressbar"
                aria-label={`${op.kind} progress`}
                aria-valuenow={op.progress}
                aria-valuemin={0}
                aria-valuemax={100}
              >
                <div className="h-full bg-sky-500 transition-all" style={{ width: `${op.progress}%` }} />
              </div>
              <p className="mt-0.5 text-xs text-slate-500">
                {op.step ?? "waiting for a worker"} · {op.progress}%
              </p>
            </div>
          )}
          {op.lastError && <p className="mt-1 text-xs text-red-600 dark:text-red-400">{op.lastError}</p>}
        </li>
      ))}
    </ol>
  );
}
