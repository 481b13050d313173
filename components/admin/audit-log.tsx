"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Download, ShieldAlert, ShieldCheck } from "lucide-react";
import { useDeferredValue, useState } from "react";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { controlClass } from "../ui/field";

type Result = "SUCCESS" | "REFUSED" | "FAILURE";
const RESULT_COLOURS: Record<Result, string> = {
  SUCCESS: "text-emerald-700 dark:text-emerald-400",
  REFUSED: "text-amber-700 dark:text-amber-400",
  FAILURE: "text-red-600",
};

/** The hash-chained audit log: filters, newest first with "load more", live tail by polling, exports, verification. */
export function AuditLog() {
  const trpc = useTRPC();
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [target, setTarget] = useState("");
  const [result, setResult] = useState<Result | "">("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [tail, setTail] = useState(true);
  const filter = useDeferredValue({
    actor: actor.trim() || undefined,
    action: action.trim() || undefined,
    target: target.trim() || undefined,
    result: result || undefined,
    from: from ? new Date(from) : undefined,
    to: to ? new Date(to) : undefined,
  });
  const entries = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { filter, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, refetchInterval: tail ? 3_000 : false },
    ),
  );
  const verify = useQuery(trpc.audit.verify.queryOptions(undefined, { enabled: false }));
  const exportQuery = new URLSearchParams(
    Object.entries({
      actor,
      action,
      target,
      result,
      from: from && new Date(from).toISOString(),
      to: to && new Date(to).toISOString(),
    }).filter(([, v]) => v) as [string, string][],
  ).toString();
  const rows = entries.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <input
          aria-label="Actor"
          placeholder="actor (email)"
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          className={`${controlClass} w-44`}
        />
        <input
          aria-label="Action"
          placeholder="action, e.g. vcluster.create"
          value={action}
          onChange={(e) => setAction(e.target.value)}
          className={`${controlClass} w-56`}
        />
        <input
          aria-label="Target"
          placeholder="target id or name"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          className={`${controlClass} w-44`}
        />
        <select
          aria-label="Result"
          value={result}
          onChange={(e) => setResult(e.target.value as Result | "")}
          className={`${controlClass} w-auto`}
        >
          <option value="">any result</option>
          <option>SUCCESS</option>
          <option>REFUSED</option>
          <option>FAILURE</option>
        </select>
        <label className="text-xs text-slate-500">
          from{" "}
          <input
            type="datetime-local"
            aria-label="From"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            className={`${controlClass} w-auto`}
          />
        </label>
        <label className="text-xs text-slate-500">
          to{" "}
          <input
            type="datetime-local"
            aria-label="To"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            className={`${controlClass} w-auto`}
          />
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} /> Live tail
        </label>
        <a
          href={`/api/audit/export?format=csv&${exportQuery}`}
          className="inline-flex items-center gap-1 rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700"
        >
          <Download className="size-3" /> CSV
        </a>
        <a
          href={`/api/audit/export?format=ndjson&${exportQuery}`}
          className="inline-flex items-center gap-1 rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700"
        >
          <Download className="size-3" /> NDJSON
        </a>
        <Button size="sm" onClick={() => void verify.refetch()} disabled={verify.isFetching}>
          {verify.isFetching ? "Verifying…" : "Verify chain"}
        </Button>
        {verify.data && <VerifyResult result={verify.data} />}
      </div>
      {entries.isError && <p className="text-sm text-red-600">{entries.error.message}</p>}
      <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
        <table className="w-full min-w-[760px] text-left text-xs" data-testid="audit-table">
          <thead className="bg-slate-100 text-slate-600 dark:bg-slate-800/60 dark:text-slate-300">
            <tr>
              <th className="px-2 py-1.5">#</th>
              <th className="px-2 py-1.5">When</th>
              <th className="px-2 py-1.5">Actor</th>
              <th className="px-2 py-1.5">Action</th>
              <th className="px-2 py-1.5">Target</th>
              <th className="px-2 py-1.5">Result</th>
              <th className="px-2 py-1.5">Message</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                <td className="px-2 py-1 text-slate-500">{String(e.seq)}</td>
                <td className="px-2 py-1 whitespace-nowrap">{e.at.toLocaleString()}</td>
                <td className="px-2 py-1">{e.actorLabel}</td>
                <td className="px-2 py-1 font-mono">{e.action}</td>
                <td className="px-2 py-1">
                  {e.targetType} {e.targetName ?? e.targetId ?? ""}
                </td>
                <td className={`px-2 py-1 font-medium ${RESULT_COLOURS[e.result]}`}>{e.result}</td>
                <td className="px-2 py-1">{e.message ?? e.errorCode ?? ""}</td>
              </tr>
            ))}
            {rows.length === 0 && !entries.isPending && (
              <tr>
                <td colSpan={7} className="px-2 py-6 text-center text-slate-500">
                  No entries match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {entries.hasNextPage && (
        <Button size="sm" onClick={() => void entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
          Load older entries
        </Button>
      )}
    </div>
  );
}

const ANCHOR_WORDS: Record<string, string> = {
  ok: "head anchored in the object store",
  pending: "head not anchored yet",
  unconfigured: "no object store to anchor the head in",
  cut: "entries were removed from the end (the anchored head is gone)",
  missing: "the anchored head was removed from the object store",
  invalid: "the anchored head was not written with this portal's key",
};

interface Verification {
  ok: boolean;
  checked: number;
  brokenCount: number;
  firstBroken: { seq: bigint; problem: string } | null;
  anchor: { status: string; seq: bigint | null };
}

function VerifyResult({ result }: { result: Verification }) {
  const anchor = `${ANCHOR_WORDS[result.anchor.status] ?? result.anchor.status}${result.anchor.seq !== null ? ` (#${String(result.anchor.seq)})` : ""}`;
  if (result.ok) {
    return (
      <span
        data-testid="audit-verify"
        className="inline-flex items-center gap-1 text-emerald-700 dark:text-emerald-400"
      >
        <ShieldCheck className="size-4" /> Chain intact: {result.checked} entries checked; {anchor}
      </span>
    );
  }
  return (
    <span data-testid="audit-verify" className="inline-flex items-center gap-1 text-red-600">
      <ShieldAlert className="size-4" />
      {result.brokenCount > 0
        ? `${result.brokenCount} broken; first at #${String(result.firstBroken?.seq)} (${result.firstBroken?.problem} changed)`
        : "Chain links intact"}
      ; {anchor}
    </span>
  );
}
