"use client";

import { useQuery } from "@tanstack/react-query";
import { Copy, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { controlClass } from "../ui/field";
import { useAccess } from "../use-access";
import { CloneDialog } from "./clone-dialog";
import { DeleteSnapshotDialog } from "./delete-snapshot-dialog";
import { SnapshotTable } from "./snapshot-table";
import { inFlight, PV_NOTE, type SnapshotView } from "./snapshot-types";

type Open = { kind: "clone" | "delete"; snapshot: SnapshotView } | null;

/** Every snapshot the caller may see, newest first, filtered by project; restore is offered on the cluster's page. */
export function SnapshotsOverview() {
  const trpc = useTRPC();
  const access = useAccess();
  const [projectId, setProjectId] = useState("");
  const projects = useQuery(trpc.project.list.queryOptions());
  const list = useQuery(
    trpc.snapshot.list.queryOptions(
      { projectId: projectId || undefined, limit: 200 },
      { refetchInterval: (query) => (inFlight(query.state.data) ? 2_000 : 15_000) },
    ),
  );
  const [open, setOpen] = useState<Open>(null);
  const projectNames = new Map((projects.data ?? []).map((p) => [p.id, p.name]));

  const actions = (s: SnapshotView) =>
    access.canChange(s.projectId) ? (
      <span className="inline-flex gap-1">
        <Button size="sm" disabled={s.status !== "READY"} onClick={() => setOpen({ kind: "clone", snapshot: s })}>
          <Copy className="size-3.5" /> Clone
        </Button>
        <Button
          size="sm"
          variant="ghost"
          aria-label={`Delete snapshot ${s.name}`}
          disabled={s.status === "DELETING"}
          onClick={() => setOpen({ kind: "delete", snapshot: s })}
        >
          <Trash2 className="size-3.5" /> Delete
        </Button>
      </span>
    ) : null;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-500">{PV_NOTE} Restore a snapshot from its cluster&apos;s page.</p>
        <label className="flex items-center gap-2 text-sm">
          Project
          <select
            aria-label="Filter by project"
            value={projectId}
            onChange={(e) => setProjectId(e.target.value)}
            className={controlClass}
          >
            <option value="">All projects</option>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.isPending && <p className="text-sm text-slate-500">Loading snapshots…</p>}
      {list.isError && (
        <p role="alert" className="text-sm text-red-600">
          Could not load snapshots: {list.error.message}
        </p>
      )}
      {list.data?.length === 0 && (
        <div className="rounded-lg border border-dashed border-slate-300 p-10 text-center dark:border-slate-700">
          <p className="font-medium">No snapshots yet</p>
          <p className="text-sm text-slate-500">Take one from a cluster&apos;s page, or set a schedule there.</p>
        </div>
      )}
      {list.data && list.data.length > 0 && (
        <div className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <SnapshotTable snapshots={list.data} projectNames={projectNames} showCluster actions={actions} />
        </div>
      )}
      {open?.kind === "clone" && <CloneDialog snapshot={open.snapshot} onClose={() => setOpen(null)} />}
      {open?.kind === "delete" && <DeleteSnapshotDialog snapshot={open.snapshot} onClose={() => setOpen(null)} />}
    </div>
  );
}
