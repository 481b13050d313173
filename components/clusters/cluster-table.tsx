"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { useSubscription } from "@trpc/tanstack-react-query";
import { ArrowDown, ArrowUp, ChevronLeft, ChevronRight, Plus, Search } from "lucide-react";
import Link from "next/link";
import { useDeferredValue, useMemo, useState } from "react";
import { PHASES } from "@/server/universal/state-machine";
import type { ClusterRow, ListInput, Phase } from "../cluster-types";
import { formatAge } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { controlClass, inputClass } from "../ui/field";
import { PhaseBadge } from "../ui/phase-badge";
import { useAccess } from "../use-access";
import { ClusterRowActions } from "./cluster-row-actions";

/** `vcluster.list` sorts by name, phase or creation time; the other columns are not sortable. */
type SortKey = NonNullable<ListInput["sort"]>;

const columns: ColumnDef<ClusterRow>[] = [
  {
    id: "name",
    header: "Name",
    cell: ({ row }) => (
      <Link
        href={`/clusters/${row.original.id}`}
        className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
      >
        {row.original.name}
      </Link>
    ),
  },
  { id: "project", enableSorting: false, header: "Project", cell: ({ row }) => row.original.projectName },
  { id: "phase", header: "Phase", cell: ({ row }) => <PhaseBadge phase={row.original.phase} /> },
  { id: "kubernetes", enableSorting: false, header: "Kubernetes", cell: ({ row }) => row.original.kubernetesVersion },
  {
    id: "replicas",
    enableSorting: false,
    header: "Ready",
    cell: ({ row }) => `${row.original.readyReplicas}/${row.original.replicas}`,
  },
  { id: "host", enableSorting: false, header: "Host", cell: ({ row }) => row.original.hostClusterName ?? "—" },
  {
    id: "createdAt",
    header: "Age",
    cell: ({ row }) => <span title={row.original.createdAt.toLocaleString()}>{formatAge(row.original.createdAt)}</span>,
  },
];

/**
 * The clusters list: filters, sort and cursor pagination run on the server (`vcluster.list`); changes arrive over the
 * `vcluster.watch` subscription, and if that stream fails the list falls back to polling every 3 s.
 */
export function ClusterTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const access = useAccess();
  const projects = useQuery(trpc.project.list.queryOptions());
  const [projectId, setProjectId] = useState("");
  const [phase, setPhase] = useState<Phase | "">("");
  const [labelSelector, setLabelSelector] = useState("");
  const [search, setSearch] = useState("");
  const [sorting, setSorting] = useState<SortingState>([{ id: "name", desc: false }]);
  const [limit, setLimit] = useState(25);
  // cursors[i] is the cursor that opens page i; page 0 has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const deferredSearch = useDeferredValue(search.trim());
  const deferredSelector = useDeferredValue(labelSelector.trim());

  const input: ListInput = {
    projectId: projectId || undefined,
    phases: phase ? [phase] : undefined,
    labelSelector: deferredSelector || undefined,
    search: deferredSearch || undefined,
    sort: (sorting[0]?.id as SortKey | undefined) ?? "name",
    order: sorting[0]?.desc ? "desc" : "asc",
    limit,
    cursor: cursors[page],
  };
  const live = useSubscription(
    trpc.vcluster.watch.subscriptionOptions(
      {},
      { onData: () => void queryClient.invalidateQueries({ queryKey: trpc.vcluster.list.queryKey() }) },
    ),
  );
  const list = useQuery(
    trpc.vcluster.list.queryOptions(input, {
      placeholderData: keepPreviousData,
      refetchInterval: live.status === "error" ? 3_000 : false,
    }),
  );
  const restart = () => setCursors([undefined]);

  const withActions = useMemo<ColumnDef<ClusterRow>[]>(
    () => [
      ...columns,
      {
        id: "actions",
        enableSorting: false,
        header: () => <span className="sr-only">Actions</span>,
        cell: ({ row }) => (access.canChange(row.original.projectId) ? <ClusterRowActions row={row.original} /> : null),
      },
    ],
    [access],
  );
  // eslint-disable-next-line react-hooks/incompatible-library -- this app does not run the React Compiler; the table object is meant to be read fresh each render
  const table = useReactTable({
    data: list.data?.items ?? [],
    columns: withActions,
    state: { sorting },
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    onSortingChange: (next) => {
      setSorting(next);
      restart();
    },
    getCoreRowModel: getCoreRowModel(),
  });
  const filtered = Boolean(projectId || phase || labelSelector || search);
  const canCreate = (projects.data ?? []).some((p) => access.canChange(p.id));
  const newCluster = (label: string) =>
    canCreate && (
      <Link
        href="/clusters/new"
        className="inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
      >
        <Plus className="size-4" /> {label}
      </Link>
    );

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <label className="relative min-w-48 flex-1 text-sm">
          <span className="sr-only">Search by name</span>
          <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-slate-400" />
          <input
            value={search}
            onChange={(e) => (setSearch(e.target.value), restart())}
            placeholder="Search by name"
            className={`${inputClass} pl-8`}
          />
        </label>
        <select
          aria-label="Project"
          value={projectId}
          onChange={(e) => (setProjectId(e.target.value), restart())}
          className={`${controlClass} w-auto`}
        >
          <option value="">All projects</option>
          {projects.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Phase"
          value={phase}
          onChange={(e) => (setPhase(e.target.value as Phase | ""), restart())}
          className={`${controlClass} w-auto`}
        >
          <option value="">All phases</option>
          {PHASES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        <input
          aria-label="Label selector"
          value={labelSelector}
          onChange={(e) => (setLabelSelector(e.target.value), restart())}
          placeholder="team=web,env!=prod"
          className={`${controlClass} w-48 font-mono`}
        />
        {newCluster("New cluster")}
      </div>

      {list.isError && (
        <p role="alert" className="text-sm text-red-600">
          Could not load clusters: {list.error.message}
        </p>
      )}
      {list.isPending && <p className="text-sm text-slate-500">Loading clusters…</p>}
      {list.data && list.data.total === 0 && !filtered && (
        <div className="rounded-lg border border-dashed border-slate-300 p-10 text-center dark:border-slate-700">
          <p className="font-medium">No virtual clusters yet</p>
          <p className="mb-4 text-sm text-slate-500">
            A virtual cluster is a full Kubernetes API of your own, running inside a shared host cluster.
          </p>
          {canCreate ? (
            newCluster("Create your first cluster")
          ) : (
            <p className="text-sm text-slate-500">
              Your role in your projects lets you view clusters, not create them.
            </p>
          )}
        </div>
      )}
      {/* relative: the table's sr-only header must not widen the page beyond this scroll box */}
      {list.data && (list.data.total > 0 || filtered) && (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full min-w-[720px] text-left text-sm">
            <thead className="bg-slate-100 text-slate-600 dark:bg-slate-800/60 dark:text-slate-300">
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const sorted = header.column.getIsSorted();
                    return (
                      <th
                        key={header.id}
                        className="px-3 py-2 font-medium"
                        aria-sort={sorted ? (sorted === "asc" ? "ascending" : "descending") : undefined}
                      >
                        {header.column.getCanSort() ? (
                          <button
                            type="button"
                            onClick={header.column.getToggleSortingHandler()}
                            className="inline-flex items-center gap-1 hover:text-slate-900 dark:hover:text-white"
                          >
                            {flexRender(header.column.columnDef.header, header.getContext())}
                            {sorted === "asc" && <ArrowUp className="size-3" />}
                            {sorted === "desc" && <ArrowDown className="size-3" />}
                          </button>
                        ) : (
                          flexRender(header.column.columnDef.header, header.getContext())
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr
                  key={row.id}
                  data-testid="cluster-row"
                  data-name={row.original.name}
                  className="border-t border-slate-200 dark:border-slate-800"
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2 whitespace-nowrap">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
              {list.data.items.length === 0 && (
                <tr>
                  <td colSpan={withActions.length} className="px-3 py-8 text-center text-slate-500">
                    No cluster matches these filters.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 px-3 py-2 text-xs text-slate-500 dark:border-slate-800">
            <span>
              {list.data.total} cluster{list.data.total === 1 ? "" : "s"} · page {page + 1}
              {live.status === "pending" ? " · live" : live.status === "error" ? " · refreshing every 3 s" : ""}
            </span>
            <div className="flex items-center gap-2">
              <select
                aria-label="Rows per page"
                value={limit}
                onChange={(e) => (setLimit(Number(e.target.value)), restart())}
                className="rounded border border-slate-300 bg-transparent px-1 py-0.5 dark:border-slate-700"
              >
                {[10, 25, 50, 100].map((n) => (
                  <option key={n} value={n}>
                    {n} / page
                  </option>
                ))}
              </select>
              <Button
                size="sm"
                aria-label="Previous page"
                disabled={page === 0}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                <ChevronLeft className="size-3" />
              </Button>
              <Button
                size="sm"
                aria-label="Next page"
                disabled={!list.data.nextCursor}
                onClick={() => list.data?.nextCursor && setCursors((c) => [...c, list.data.nextCursor ?? undefined])}
              >
                <ChevronRight className="size-3" />
              </Button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
