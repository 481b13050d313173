"use client";

import { useQuery } from "@tanstack/react-query";
import { formatBytes, formatDate } from "./format";
import { useTRPC } from "./trpc";

export function SnapshotList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.snapshot.list.queryOptions({ limit: 50 }));

  if (list.isPending) return <p className="text-sm text-slate-500">Loading snapshots…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">Could not load snapshots: {list.error.message}</p>;
  if (list.data.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 p-10 text-center dark:border-slate-700">
        <p className="font-medium">No snapshots yet</p>
        <p className="text-sm text-slate-500">Snapshots of your projects&apos; clusters will be listed here.</p>
      </div>
    );
  }
  return (
    <table className="w-full text-left text-sm">
      <thead className="text-slate-600 dark:text-slate-300">
        <tr>
          <th className="px-3 py-2">Name</th>
          <th className="px-3 py-2">Cluster</th>
          <th className="px-3 py-2">Status</th>
          <th className="px-3 py-2">Size</th>
          <th className="px-3 py-2">Objects</th>
          <th className="px-3 py-2">Created</th>
        </tr>
      </thead>
      <tbody>
        {list.data.map((s) => (
          <tr key={s.id} className="border-t border-slate-200 dark:border-slate-800">
            <td className="px-3 py-2 font-medium">{s.name}</td>
            <td className="px-3 py-2">{s.vclusterName}</td>
            <td className="px-3 py-2">{s.status}</td>
            <td className="px-3 py-2">{formatBytes(s.sizeBytes)}</td>
            <td className="px-3 py-2">{s.objectCount ?? "—"}</td>
            <td className="px-3 py-2">
              {formatDate(s.createdAt)} {s.createdByEmail ? `by ${s.createdByEmail}` : ""}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
