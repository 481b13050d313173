"use client";

import { useQuery } from "@tanstack/react-query";
import { Copy, History, Trash2 } from "lucide-react";
import { useState } from "react";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Card } from "../ui/card";
import { Hint } from "../ui/hint";
import { CloneDialog } from "./clone-dialog";
import { DeleteSnapshotDialog } from "./delete-snapshot-dialog";
import { RestorePreviewDialog } from "./restore-preview-dialog";
import { SnapshotPolicyForm } from "./snapshot-policy-form";
import { SnapshotTable } from "./snapshot-table";
import { inFlight, PV_NOTE, type SnapshotView } from "./snapshot-types";

type Open = { kind: "restore" | "clone" | "delete"; snapshot: SnapshotView } | null;

/** The cluster's snapshots with restore (previewed), clone and delete, and its retention and schedule. */
export function ClusterSnapshots({ cluster, canChange }: { cluster: ClusterDetail; canChange: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(
    trpc.snapshot.list.queryOptions(
      { vclusterId: cluster.id, limit: 100 },
      { refetchInterval: (query) => (inFlight(query.state.data) || cluster.phase === "SNAPSHOTTING" ? 1_500 : 10_000) },
    ),
  );
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const restoreBlocked =
    cluster.phase !== "RUNNING" ? `Restore needs the cluster RUNNING; it is ${cluster.phase}.` : null;

  const actions = (s: SnapshotView) => {
    const notReady = s.status !== "READY" ? `The snapshot is ${s.status}.` : null;
    return (
      <span className="inline-flex gap-1">
        <Hint text={notReady ?? restoreBlocked}>
          <Button
            size="sm"
            disabled={(notReady ?? restoreBlocked) !== null}
            onClick={() => setOpen({ kind: "restore", snapshot: s })}
          >
            <History className="size-3.5" /> Restore
          </Button>
        </Hint>
        <Hint text={notReady}>
          <Button size="sm" disabled={notReady !== null} onClick={() => setOpen({ kind: "clone", snapshot: s })}>
            <Copy className="size-3.5" /> Clone
          </Button>
        </Hint>
        <Hint text={s.status === "DELETING" ? "Already being deleted." : null}>
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Delete snapshot ${s.name}`}
            disabled={s.status === "DELETING"}
            onClick={() => setOpen({ kind: "delete", snapshot: s })}
          >
            <Trash2 className="size-3.5" /> Delete
          </Button>
        </Hint>
      </span>
    );
  };

  return (
    <Card title="Snapshots">
      <div data-testid="cluster-snapshots" className="space-y-4">
        <p className="text-xs text-slate-500">{PV_NOTE}</p>
        {list.isPending && <p className="text-sm text-slate-500">Loading snapshots…</p>}
        {list.isError && (
          <p role="alert" className="text-sm text-red-600">
            Could not load snapshots: {list.error.message}
          </p>
        )}
        {list.data?.length === 0 && (
          <p className="text-sm text-slate-500">
            No snapshots of this cluster yet{canChange ? " — take one with Snapshot above." : "."}
          </p>
        )}
        {list.data && list.data.length > 0 && (
          <SnapshotTable snapshots={list.data} showCluster={false} actions={canChange ? actions : undefined} />
        )}
        <div className="border-t border-slate-200 pt-4 dark:border-slate-800">
          <h3 className="mb-2 text-sm font-semibold">Retention and schedule</h3>
          <SnapshotPolicyForm clusterId={cluster.id} canChange={canChange} />
        </div>
      </div>
      {open?.kind === "restore" && <RestorePreviewDialog cluster={cluster} snapshot={open.snapshot} onClose={close} />}
      {open?.kind === "clone" && <CloneDialog snapshot={open.snapshot} onClose={close} />}
      {open?.kind === "delete" && <DeleteSnapshotDialog snapshot={open.snapshot} onClose={close} />}
    </Card>
  );
}
