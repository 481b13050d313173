"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { ClusterDetail } from "../cluster-types";
import { formatBytes, formatDate } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Modal } from "../ui/modal";
import { useAcceptedChange } from "./use-cluster-mutation";

/** Pick one of the cluster's ready snapshots, optionally removing objects created since, and restore it. */
export function RestoreDialog({
  cluster,
  open,
  onOpenChange,
}: {
  cluster: ClusterDetail;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const accepted = useAcceptedChange(cluster.id);
  const snapshots = useQuery(trpc.snapshot.list.queryOptions({ vclusterId: cluster.id, limit: 50 }));
  const ready = (snapshots.data ?? []).filter((s) => s.status === "READY");
  const [snapshotId, setSnapshotId] = useState("");
  const [prune, setPrune] = useState(false);
  const restore = useMutation(
    trpc.vcluster.restore.mutationOptions({
      onSuccess: () => {
        accepted(`Restoring ${cluster.name}`);
        onOpenChange(false);
      },
    }),
  );
  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title={`Restore ${cluster.name}`}
      description="Objects in the snapshot are put back as they were; the cluster keeps running."
    >
      <div className="space-y-3">
        {snapshots.isPending && <p className="text-sm text-slate-500">Loading snapshots…</p>}
        {snapshots.data && ready.length === 0 && (
          <p className="text-sm text-slate-500">This cluster has no ready snapshot yet.</p>
        )}
        <ul className="max-h-64 space-y-1 overflow-y-auto">
          {ready.map((s) => (
            <li key={s.id}>
              <label className="flex items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-slate-50 dark:hover:bg-slate-800">
                <input
                  type="radio"
                  name="snapshot"
                  value={s.id}
                  checked={snapshotId === s.id}
                  onChange={() => setSnapshotId(s.id)}
                />
                <span className="font-medium">{s.name}</span>
                <span className="text-xs text-slate-500">
                  {formatDate(s.createdAt)} · {s.objectCount ?? "?"} objects · {formatBytes(s.sizeBytes)}
                </span>
              </label>
            </li>
          ))}
        </ul>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Also delete objects
          created after the snapshot
        </label>
        {restore.isError && (
          <p role="alert" className="text-sm text-red-600">
            {restore.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button
            variant="primary"
            disabled={!snapshotId || restore.isPending}
            onClick={() => restore.mutate({ id: cluster.id, snapshotId, prune })}
          >
            Restore
          </Button>
        </div>
      </div>
    </Modal>
  );
}
