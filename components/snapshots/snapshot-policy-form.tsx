"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { issuesOf } from "../api-error";
import { formatDate } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import type { SnapshotPolicy } from "./snapshot-types";

/** Keep the last N snapshots and take them on a cron schedule (UTC); the server checks both and names the field it refuses. */
export function SnapshotPolicyForm({ clusterId, canChange }: { clusterId: string; canChange: boolean }) {
  const trpc = useTRPC();
  const policy = useQuery(trpc.snapshot.policy.queryOptions({ vclusterId: clusterId }));
  if (policy.isPending) return <p className="text-sm text-slate-500">Loading the schedule…</p>;
  if (policy.isError)
    return (
      <p role="alert" className="text-sm text-red-600">
        Could not load the schedule: {policy.error.message}
      </p>
    );
  return (
    <PolicyFields key={`${policy.data.keepLast}-${policy.data.schedule}`} policy={policy.data} canChange={canChange} />
  );
}

function PolicyFields({ policy, canChange }: { policy: SnapshotPolicy; canChange: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [keepLast, setKeepLast] = useState(policy.keepLast === null ? "" : String(policy.keepLast));
  const [schedule, setSchedule] = useState(policy.schedule ?? "");
  const [localError, setLocalError] = useState<string | undefined>();
  const save = useMutation(
    trpc.snapshot.setPolicy.mutationOptions({
      onSuccess: (saved) => {
        toast.success("Snapshot schedule saved");
        queryClient.setQueryData(trpc.snapshot.policy.queryKey({ vclusterId: saved.vclusterId }), saved);
      },
    }),
  );
  const issues = issuesOf(save.error);
  const message = save.error?.message ?? "";
  const keepError =
    localError ??
    issues.find((i) => i.field === "keepLast")?.message ??
    (issues.length === 0 && /keepLast/i.test(message) ? message : undefined);
  const scheduleError =
    issues.find((i) => i.field === "schedule")?.message ??
    (issues.length === 0 && /schedule/i.test(message) ? message : undefined);
  const otherError = save.isError && !keepError && !scheduleError ? message : undefined;

  return (
    <form
      className="space-y-3"
      data-testid="snapshot-policy"
      onSubmit={(e) => {
        e.preventDefault();
        const trimmed = keepLast.trim();
        const keep = trimmed === "" ? null : Number(trimmed);
        if (keep !== null && !Number.isInteger(keep)) {
          setLocalError("keep last must be a whole number");
          return;
        }
        setLocalError(undefined);
        save.mutate({ vclusterId: policy.vclusterId, keepLast: keep, schedule: schedule.trim() || null });
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          label="Keep last"
          htmlFor="policy-keep-last"
          error={keepError}
          help="Older snapshots beyond this many are deleted. Empty keeps all."
        >
          <input
            id="policy-keep-last"
            type="number"
            min={1}
            inputMode="numeric"
            disabled={!canChange}
            value={keepLast}
            aria-invalid={keepError ? true : undefined}
            onChange={(e) => setKeepLast(e.target.value)}
            className={inputClass}
          />
        </Field>
        <Field
          label="Schedule (cron, UTC)"
          htmlFor="policy-schedule"
          error={scheduleError}
          help={
            <>
              Five fields: minute hour day month weekday. <code>0 3 * * *</code> = daily at 03:00 UTC. Empty: no
              scheduled snapshots.
            </>
          }
        >
          <input
            id="policy-schedule"
            autoComplete="off"
            placeholder="0 3 * * *"
            disabled={!canChange}
            value={schedule}
            aria-invalid={scheduleError ? true : undefined}
            onChange={(e) => setSchedule(e.target.value)}
            className={`${inputClass} font-mono`}
          />
        </Field>
      </div>
      <p className="text-xs text-slate-500" data-testid="policy-next-run">
        {policy.schedule ? (
          <>
            Next scheduled snapshot: <span className="font-medium">{formatDate(policy.nextRunAt)}</span> (
            {policy.nextRunAt?.toISOString().replace(".000Z", "Z") ?? "—"})
          </>
        ) : (
          "No scheduled snapshots."
        )}
        {policy.keepLast !== null && ` Keeping the last ${policy.keepLast}.`}
      </p>
      {otherError && (
        <p role="alert" className="text-sm text-red-600">
          {otherError}
        </p>
      )}
      {canChange && (
        <div className="flex justify-end">
          <Button type="submit" variant="primary" disabled={save.isPending}>
            Save schedule
          </Button>
        </div>
      )}
    </form>
  );
}
