"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formatDate } from "./format";
import { useTRPC } from "./trpc";

export function ApiTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.apiToken.list.queryOptions());
  const [created, setCreated] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiToken.list.queryKey() });
  const create = useMutation(
    trpc.apiToken.create.mutationOptions({
      onSuccess: (result) => {
        setCreated(result.token);
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiToken.revoke.mutationOptions({ onSuccess: () => void refresh() }));

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const days = String(form.get("expiresInDays") ?? "");
    create.mutate({ name: String(form.get("name") ?? ""), expiresInDays: days === "" ? null : Number(days) });
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onCreate} className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="mb-1 block font-medium">Name</span>
          <input
            name="name"
            required
            maxLength={64}
            className="rounded-md border border-slate-300 bg-transparent px-3 py-2 dark:border-slate-700"
          />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium">Expires in (days)</span>
          <input
            name="expiresInDays"
            type="number"
            min={1}
            max={366}
            defaultValue={90}
            className="w-28 rounded-md border border-slate-300 bg-transparent px-3 py-2 dark:border-slate-700"
          />
        </label>
        <button
          type="submit"
          disabled={create.isPending}
          className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white disabled:opacity-60"
        >
          Create token
        </button>
      </form>
      {create.isError && (
        <p role="alert" className="text-sm text-red-600">
          {create.error.message}
        </p>
      )}
      {created && (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
          <p className="font-medium">Copy this token now: it will not be shown again.</p>
          <code data-testid="new-token" className="break-all">
            {created}
          </code>
        </div>
      )}
      {list.isError && (
        <p role="alert" className="text-sm text-red-600">
          Could not load tokens: {list.error.message}
        </p>
      )}
      {list.data && list.data.length > 0 && (
        <table className="w-full text-left text-sm">
          <thead className="text-slate-600 dark:text-slate-300">
            <tr>
              <th className="py-2">Name</th>
              <th className="py-2">Prefix</th>
              <th className="py-2">Expires</th>
              <th className="py-2">Last used</th>
              <th className="py-2" />
            </tr>
          </thead>
          <tbody>
            {list.data.map((t) => (
              <tr key={t.id} className="border-t border-slate-200 dark:border-slate-800">
                <td className="py-2">{t.name}</td>
                <td className="py-2 font-mono">{t.prefix}…</td>
                <td className="py-2">{t.expiresAt ? formatDate(t.expiresAt) : "never"}</td>
                <td className="py-2">{formatDate(t.lastUsedAt)}</td>
                <td className="py-2 text-right">
                  {t.revokedAt ? (
                    <span className="text-slate-500">revoked</span>
                  ) : (
                    <button
                      type="button"
                      onClick={() => revoke.mutate({ id: t.id })}
                      className="rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700"
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
