"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { WEBHOOK_EVENTS, type WebhookEvent } from "@/server/universal/webhook-events";
import { issuesOf } from "../api-error";
import { formatDate } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";

function DeliveryLog({ projectId, webhookId }: { projectId: string; webhookId: string }) {
  const trpc = useTRPC();
  const deliveries = useQuery(
    trpc.webhook.deliveries.queryOptions({ projectId, webhookId, limit: 20 }, { refetchInterval: 5_000 }),
  );
  if (deliveries.isPending) return <p className="text-xs text-slate-500">Loading deliveries…</p>;
  if (deliveries.isError) return <p className="text-xs text-red-600">{deliveries.error.message}</p>;
  if (deliveries.data.items.length === 0) return <p className="text-xs text-slate-500">No deliveries yet.</p>;
  return (
    <table className="mt-2 w-full text-left text-xs">
      <thead className="text-slate-500">
        <tr>
          <th className="py-1 pr-2">Event</th>
          <th className="py-1 pr-2">Queued</th>
          <th className="py-1 pr-2">Attempts</th>
          <th className="py-1">Result</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.data.items.map((d) => (
          <tr key={d.id} className="border-t border-slate-100 align-top dark:border-slate-800">
            <td className="py-1 pr-2 font-mono">{d.event}</td>
            <td className="py-1 pr-2">{formatDate(d.createdAt)}</td>
            <td className="py-1 pr-2">{d.attempts}</td>
            <td className="py-1">
              {d.deliveredAt ? (
                <span className="text-emerald-700 dark:text-emerald-400">delivered ({d.responseCode})</span>
              ) : d.failedAt ? (
                <span className="text-red-600">gave up: {d.lastError}</span>
              ) : (
                <span>
                  retrying at {d.nextAttemptAt.toLocaleTimeString()}
                  {d.lastError ? ` (${d.lastError})` : ""}
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A project's signed webhooks (owners only): add, test, pause, remove, and each one's delivery log. */
export function WebhookList({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hooks = useQuery(trpc.webhook.list.queryOptions({ projectId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhook.list.queryKey({ projectId }) });
  const onError = (error: { message: string }) => toast.error(error.message);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [events, setEvents] = useState<WebhookEvent[]>(["vcluster.phase_changed", "vcluster.failed"]);
  const create = useMutation(
    trpc.webhook.create.mutationOptions({
      onSuccess: (result) => {
        setSecret(result.secret);
        void refresh();
      },
    }),
  );
  const update = useMutation(trpc.webhook.update.mutationOptions({ onSuccess: () => void refresh(), onError }));
  const remove = useMutation(trpc.webhook.delete.mutationOptions({ onSuccess: () => void refresh(), onError }));
  const test = useMutation(
    trpc.webhook.test.mutationOptions({ onSuccess: () => toast.success("Test delivery queued"), onError }),
  );
  const onCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate({ projectId, url: String(new FormData(event.currentTarget).get("url") ?? ""), events, active: true });
  };
  const fieldError = (field: string) => issuesOf(create.error).find((i) => i.field === field)?.message;

  return (
    <div className="space-y-3">
      {hooks.isError && <p className="text-sm text-red-600">Could not load webhooks: {hooks.error.message}</p>}
      {hooks.data?.length === 0 && <p className="text-sm text-slate-500">No webhooks yet.</p>}
      <ul className="space-y-2">
        {hooks.data?.map((h) => (
          <li key={h.id} className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800">
            <div className="flex flex-wrap items-center gap-2">
              <code className="min-w-0 flex-1 truncate">{h.url}</code>
              <span
                className={`rounded-full px-2 py-0.5 text-xs ${h.active ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200" : "bg-slate-100 dark:bg-slate-800"}`}
              >
                {h.active ? "active" : "paused"}
              </span>
              <Button size="sm" onClick={() => test.mutate({ projectId, id: h.id })}>
                Send test
              </Button>
              <Button size="sm" onClick={() => update.mutate({ projectId, id: h.id, active: !h.active })}>
                {h.active ? "Pause" : "Activate"}
              </Button>
              <Button size="sm" onClick={() => setOpen(open === h.id ? null : h.id)}>
                Deliveries
              </Button>
              <Button size="sm" variant="ghost" onClick={() => remove.mutate({ projectId, id: h.id })}>
                Remove
              </Button>
            </div>
            <p className="mt-1 text-xs text-slate-500">{h.events.join(", ")}</p>
            {open === h.id && <DeliveryLog projectId={projectId} webhookId={h.id} />}
          </li>
        ))}
      </ul>
      {secret && (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
          <p className="font-medium">Signing secret — copy it now, it is not shown again:</p>
          <code className="break-all">{secret}</code>
        </div>
      )}
      <form onSubmit={onCreate} className="space-y-2 border-t border-slate-200 pt-3 dark:border-slate-800">
        <Field label="Payload URL" htmlFor="webhook-url" error={fieldError("url")}>
          <input
            id="webhook-url"
            name="url"
            type="url"
            required
            placeholder="https://ci.example.com/hooks/vcluster"
            className={inputClass}
          />
        </Field>
        <fieldset className="flex flex-wrap gap-3 text-sm">
          <legend className="sr-only">Events</legend>
          {WEBHOOK_EVENTS.map((e) => (
            <label key={e} className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={events.includes(e)}
                onChange={(x) => setEvents(x.target.checked ? [...events, e] : events.filter((v) => v !== e))}
              />
              <code className="text-xs">{e}</code>
            </label>
          ))}
        </fieldset>
        {fieldError("events") && <p className="text-xs text-red-600">{fieldError("events")}</p>}
        {create.isError && issuesOf(create.error).length === 0 && (
          <p className="text-sm text-red-600">{create.error.message}</p>
        )}
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Add webhook
        </Button>
      </form>
    </div>
  );
}
