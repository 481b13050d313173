"use client";

import { useQuery } from "@tanstack/react-query";
import { formatCpuMillis, parseCpuMillis, parseMemoryBytes } from "@/server/universal/quantity";
import { claimOf } from "@/server/universal/claims";
import { formatBytes } from "../format";
import { useTRPC } from "../trpc";
import type { WizardOutput } from "./wizard-form";

interface Row {
  label: string;
  used: bigint;
  claim: bigint;
  limit: bigint | null;
  format: (value: bigint) => string;
}

/** The claim the server checks, from the same function. */
function claimOfSpec(spec: WizardOutput["spec"]) {
  const claim = claimOf({
    cpuRequestMillis: parseCpuMillis(spec.resources.cpuRequest),
    memoryRequestBytes: parseMemoryBytes(spec.resources.memoryRequest),
    replicas: spec.replicas,
    enablePersistence: spec.storage.enablePersistence,
    persistenceSizeBytes: parseMemoryBytes(spec.storage.persistenceSize),
  });
  return { cpu: BigInt(claim.cpuMillis), memory: claim.memoryBytes, storage: claim.storageBytes };
}

export function QuotaPreview({ values, refusal }: { values: WizardOutput; refusal: string | undefined }) {
  const trpc = useTRPC();
  const quota = useQuery(trpc.project.quota.queryOptions({ projectId: values.projectId }));
  if (quota.isPending) return <p className="text-sm text-slate-500">Loading the project&apos;s quota…</p>;
  if (quota.isError)
    return <p className="text-sm text-red-600">Could not load the project&apos;s quota: {quota.error.message}</p>;
  const { usage, limits } = quota.data;
  const claim = claimOfSpec(values.spec);
  const count = (n: bigint) => String(n);
  const rows: Row[] = [
    {
      label: "Virtual clusters",
      used: BigInt(usage.vclusters),
      claim: 1n,
      limit: limits ? BigInt(limits.maxVClusters) : null,
      format: count,
    },
    {
      label: "CPU requests",
      used: BigInt(usage.cpuMillis),
      claim: claim.cpu,
      limit: limits ? BigInt(limits.maxCpuMillis) : null,
      format: (v) => formatCpuMillis(Number(v)),
    },
    {
      label: "Memory requests",
      used: usage.memoryBytes,
      claim: claim.memory,
      limit: limits?.maxMemoryBytes ?? null,
      format: formatBytes,
    },
    {
      label: "Persistent storage",
      used: usage.storageBytes,
      claim: claim.storage,
      limit: limits?.maxStorageBytes ?? null,
      format: formatBytes,
    },
  ];
  return (
    <div data-testid="quota-preview">
      <table className="w-full text-left text-sm">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 pr-2 font-medium">Resource</th>
            <th className="py-1 pr-2 font-medium">In use</th>
            <th className="py-1 pr-2 font-medium">This cluster</th>
            <th className="py-1 pr-2 font-medium">Limit</th>
            <th className="py-1 font-medium">Left after</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const left = r.limit === null ? null : r.limit - r.used - r.claim;
            return (
              <tr key={r.label} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1 pr-2">{r.label}</td>
                <td className="py-1 pr-2">{r.format(r.used)}</td>
                <td className="py-1 pr-2">+{r.format(r.claim)}</td>
                <td className="py-1 pr-2">{r.limit === null ? "no limit" : r.format(r.limit)}</td>
                <td className={`py-1 ${left !== null && left < 0n ? "font-semibold text-red-600" : ""}`}>
                  {left === null ? "—" : left < 0n ? `over by ${r.format(-left)}` : r.format(left)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {refusal && (
        <p
          role="alert"
          data-field-error="quota"
          className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
        >
          {refusal}
        </p>
      )}
    </div>
  );
}
