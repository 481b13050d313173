"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc";

export function ClusterList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.vcluster.list.queryOptions({ limit: 50 }));

  if (list.isPending) return <p className="text-sm text-slate-500">Loading clusters…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">Could not load clusters: {list.error.message}</p>;
  if (list.data.items.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 p-10 text-center dark:border-slate-700">
        <p className="font-medium">No virtual clusters yet</p>
        <p className="text-sm text-slate-500">Clusters of the projects you belong to will be listed here.</p>
      </div>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-100 text-slate-600 dark:bg-slate-900 dark:text-slate-300">
          <tr>
            <th className="px-3 py-2">Name</th>
            <th className="px-3 py-2">Project</th>
            <th className="px-3 py-2">Phase</th>
            <th className="px-3 py-2">Kubernetes</th>
            <th className="px-3 py-2">Replicas</th>
            <th className="px-3 py-2">Host</th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((c) => (
            <tr key={c.id} className="border-t border-slate-200 dark:border-slate-800">
              <td className="px-3 py-2 font-medium">{c.name}</td>
              <td className="px-3 py-2">{c.projectName}</td>
              <td className="px-3 py-2">{c.phase}</td>
              <td className="px-3 py-2">{c.kubernetesVersion}</td>
              <td className="px-3 py-2">
                {c.readyReplicas}/{c.replicas}
              </td>
              <td className="px-3 py-2">{c.hostClusterName ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="px-3 py-2 text-xs text-slate-500">{list.data.total} in total</p>
    </div>
  );
}
