"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { ClusterDetail } from "../cluster-types";
import { useAcceptedChange } from "../clusters/use-cluster-mutation";
import { formatDate } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Modal } from "../ui/modal";
import type { SnapshotView } from "./snapshot-types";

const SECTIONS = [
  { key: "create", title: "Created", tone: "text-emerald-700 dark:text-emerald-300" },
  { key: "change", title: "Changed", tone: "text-sky-700 dark:text-sky-300" },
  { key: "delete", title: "Deleted", tone: "text-red-700 dark:text-red-300" },
] as const;

/** What a restore would do to the running cluster, from `snapshot.preview`, then the restore itself. */
export function RestorePreviewDialog({
  cluster,
  snapshot,
  onClose,
}: {
  cluster: ClusterDetail;
  snapshot: SnapshotView;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const accepted = useAcceptedChange(cluster.id);
  const [prune, setPrune] = useState(false);
  const preview = useQuery(
    trpc.snapshot.preview.queryOptions(
      { vclusterId: cluster.id, snapshotId: snapshot.id, prune },
      { staleTime: 0, retry: false },
    ),
  );
  const restore = useMutation(
    trpc.snapshot.restore.mutationOptions({
      onSuccess: () => {
        accepted(`Restoring ${cluster.name} from ${snapshot.name}`);
        onClose();
      },
    }),
  );
  const nothing =
    preview.data && preview.data.create.length + preview.data.change.length + preview.data.delete.length === 0;
  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Restore ${cluster.name} from ${snapshot.name}`}
      description={`Taken ${formatDate(snapshot.createdAt)}. Objects are put back as they were; the cluster keeps running. Persistent-volume data is not restored.`}
    >
      <div className="space-y-3" data-testid="restore-preview">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Also delete objects
          created after the snapshot (prune)
        </label>
        {preview.isPending && <p className="text-sm text-slate-500">Comparing the snapshot with the cluster…</p>}
        {preview.isError && (
          <p role="alert" className="text-sm text-red-600">
            Could not preview the restore: {preview.error.message}
          </p>
        )}
        {nothing && (
          <p className="text-sm text-slate-500">The cluster already matches the snapshot; restoring changes nothing.</p>
        )}
        {preview.data && !nothing && (
          <div className="grid gap-3 sm:grid-cols-3">
            {SECTIONS.map(({ key, title, tone }) => (
              <div key={key} data-testid={`preview-${key}`} data-count={preview.data[key].length}>
                <h3 className={`text-sm font-semibold ${tone}`}>
                  {title} ({preview.data[key].length})
                </h3>
                <ul className="mt-1 max-h-48 overflow-y-auto font-mono text-xs break-all">
                  {preview.data[key].length === 0 && <li className="text-slate-400">none</li>}
                  {preview.data[key].map((item) => (
                    <li key={item}>{item}</li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        )}
        {restore.isError && (
          <p role="alert" className="text-sm text-red-600">
            {restore.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            disabled={!preview.isSuccess || restore.isPending}
            onClick={() => restore.mutate({ vclusterId: cluster.id, snapshotId: snapshot.id, prune })}
          >
            Restore
          </Button>
        </div>
      </div>
    </Modal>
  );
}
