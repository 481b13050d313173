import Link from "next/link";
import type { ReactNode } from "react";
import { formatBytes, formatDate } from "../format";
import { SnapshotStatusBadge } from "./snapshot-status-badge";
import type { SnapshotView } from "./snapshot-types";

/** Snapshots as rows: name, cluster and project (when several clusters are shown), status and why it failed, size, objects, who and when. */
export function SnapshotTable({
  snapshots,
  projectNames,
  showCluster,
  actions,
}: {
  snapshots: readonly SnapshotView[];
  projectNames?: ReadonlyMap<string, string>;
  showCluster: boolean;
  actions?: (snapshot: SnapshotView) => ReactNode;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="text-slate-600 dark:text-slate-300">
          <tr>
            <th className="px-3 py-2">Name</th>
            {showCluster && <th className="px-3 py-2">Cluster</th>}
            {showCluster && <th className="px-3 py-2">Project</th>}
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2">Size</th>
            <th className="px-3 py-2">Objects</th>
            <th className="px-3 py-2">Created</th>
            {actions && <th className="px-3 py-2 text-right">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {snapshots.map((s) => (
            <tr
              key={s.id}
              data-testid="snapshot-row"
              data-name={s.name}
              data-status={s.status}
              className="border-t border-slate-200 align-top dark:border-slate-800"
            >
              <td className="px-3 py-2 font-medium">{s.name}</td>
              {showCluster && (
                <td className="px-3 py-2">
                  {s.vclusterId ? (
                    <Link
                      href={`/clusters/${s.vclusterId}`}
                      className="text-indigo-600 hover:underline dark:text-indigo-400"
                    >
                      {s.vclusterName}
                    </Link>
                  ) : (
                    <span title="The cluster was deleted; its snapshot can still be cloned.">
                      {s.vclusterName} (deleted)
                    </span>
                  )}
                </td>
              )}
              {showCluster && <td className="px-3 py-2">{projectNames?.get(s.projectId) ?? s.projectId}</td>}
              <td className="px-3 py-2">
                <SnapshotStatusBadge status={s.status} />
                {s.status === "FAILED" && s.reason && (
                  <p className="mt-1 max-w-xs text-xs text-red-700 dark:text-red-300">{s.reason}</p>
                )}
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{formatBytes(s.sizeBytes)}</td>
              <td className="px-3 py-2">{s.objectCount ?? "—"}</td>
              <td className="px-3 py-2">
                {formatDate(s.createdAt)}
                {s.createdByEmail && <span className="block text-xs text-slate-500">by {s.createdByEmail}</span>}
              </td>
              {actions && <td className="px-3 py-2 text-right whitespace-nowrap">{actions(s)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
