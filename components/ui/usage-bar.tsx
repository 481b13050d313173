/** How much of a limit is used; amber from 80 %, red when full. */
export function UsageBar({
  label,
  used,
  limit,
  format,
}: {
  label: string;
  used: number;
  limit: number | null;
  format: (value: number) => string;
}) {
  const ratio = limit && limit > 0 ? Math.min(used / limit, 1) : limit === 0 ? 1 : 0;
  const colour = ratio >= 1 ? "bg-red-500" : ratio >= 0.8 ? "bg-amber-500" : "bg-indigo-500";
  return (
    <div className="text-sm">
      <div className="mb-1 flex justify-between gap-2">
        <span className="font-medium">{label}</span>
        <span className="text-slate-500">
          {format(used)} / {limit === null ? "no limit" : format(limit)}
        </span>
      </div>
      <div
        className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
        role="progressbar"
        aria-label={label}
        aria-valuenow={Math.round(ratio * 100)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className={`h-full ${colour}`} style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}
