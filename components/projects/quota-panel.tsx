"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { issuesOf } from "../api-error";
import { formatBytes, formatCpu } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import { UsageBar } from "../ui/usage-bar";

const GIB = 1024 ** 3;
const count = (n: number) => String(n);

/** Usage against the project's limits; owners and platform admins change the limits. */
export function QuotaPanel({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const quota = useQuery(trpc.project.quota.queryOptions({ projectId }));
  const [editing, setEditing] = useState(false);
  const save = useMutation(
    trpc.project.setQuota.mutationOptions({
      onSuccess: (view) => {
        queryClient.setQueryData(trpc.project.quota.queryKey({ projectId }), view);
        setEditing(false);
        toast.success("Quota saved");
      },
    }),
  );
  if (quota.isPending) return <p className="text-sm text-slate-500">Loading quota…</p>;
  if (quota.isError) return <p className="text-sm text-red-600">Could not load the quota: {quota.error.message}</p>;
  const { usage, limits } = quota.data;
  const errorOf = (field: string) => issuesOf(save.error).find((i) => i.field === field)?.message;

  const onSave = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const num = (name: string) => Number(f.get(name));
    save.mutate({
      projectId,
      maxVClusters: num("maxVClusters"),
      maxCpuMillis: num("maxCpuMillis"),
      maxMemoryBytes: BigInt(Math.round(num("maxMemoryGiB") * GIB)),
      maxStorageBytes: BigInt(Math.round(num("maxStorageGiB") * GIB)),
      maxSnapshots: num("maxSnapshots"),
    });
  };

  return (
    <div className="space-y-3" data-testid="quota-usage">
      <UsageBar label="Virtual clusters" used={usage.vclusters} limit={limits?.maxVClusters ?? null} format={count} />
      <UsageBar label="CPU" used={usage.cpuMillis} limit={limits?.maxCpuMillis ?? null} format={formatCpu} />
      <UsageBar
        label="Memory"
        used={Number(usage.memoryBytes)}
        limit={limits ? Number(limits.maxMemoryBytes) : null}
        format={formatBytes}
      />
      <UsageBar
        label="Storage"
        used={Number(usage.storageBytes)}
        limit={limits ? Number(limits.maxStorageBytes) : null}
        format={formatBytes}
      />
      <UsageBar label="Snapshots" used={usage.snapshots} limit={limits?.maxSnapshots ?? null} format={count} />
      {canEdit && !editing && (
        <Button size="sm" onClick={() => setEditing(true)}>
          Edit quota
        </Button>
      )}
      {editing && (
        <form
          onSubmit={onSave}
          className="grid gap-3 border-t border-slate-200 pt-3 sm:grid-cols-2 dark:border-slate-800"
        >
          <Field label="Virtual clusters" htmlFor="q-vclusters" error={errorOf("maxVClusters")}>
            <input
              id="q-vclusters"
              name="maxVClusters"
              type="number"
              min={0}
              defaultValue={limits?.maxVClusters ?? 10}
              className={inputClass}
            />
          </Field>
          <Field label="CPU (millicores)" htmlFor="q-cpu" error={errorOf("maxCpuMillis")}>
            <input
              id="q-cpu"
              name="maxCpuMillis"
              type="number"
              min={0}
              defaultValue={limits?.maxCpuMillis ?? 32_000}
              className={inputClass}
            />
          </Field>
          <Field label="Memory (GiB)" htmlFor="q-memory" error={errorOf("maxMemoryBytes")}>
            <input
              id="q-memory"
              name="maxMemoryGiB"
              type="number"
              min={0}
              step="any"
              defaultValue={limits ? Number(limits.maxMemoryBytes) / GIB : 64}
              className={inputClass}
            />
          </Field>
          <Field label="Storage (GiB)" htmlFor="q-storage" error={errorOf("maxStorageBytes")}>
            <input
              id="q-storage"
              name="maxStorageGiB"
              type="number"
              min={0}
              step="any"
              defaultValue={limits ? Number(limits.maxStorageBytes) / GIB : 500}
              className={inputClass}
            />
          </Field>
          <Field label="Snapshots" htmlFor="q-snapshots" error={errorOf("maxSnapshots")}>
            <input
              id="q-snapshots"
              name="maxSnapshots"
              type="number"
              min={0}
              defaultValue={limits?.maxSnapshots ?? 50}
              className={inputClass}
            />
          </Field>
          {save.isError && issuesOf(save.error).length === 0 && (
            <p className="text-sm text-red-600 sm:col-span-2">{save.error.message}</p>
          )}
          <div className="flex gap-2 sm:col-span-2">
            <Button type="submit" variant="primary" disabled={save.isPending}>
              Save quota
            </Button>
            <Button onClick={() => setEditing(false)}>Cancel</Button>
          </div>
        </form>
      )}
    </div>
  );
}
