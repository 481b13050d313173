"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Modal } from "../ui/modal";
import { useAcceptedChange } from "./use-cluster-mutation";

export function SuspendDialog({
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
  const [snapshotFirst, setSnapshotFirst] = useState(false);
  const suspend = useMutation(
    trpc.vcluster.suspend.mutationOptions({
      onSuccess: () => {
        accepted(`Suspending ${cluster.name}`);
        onOpenChange(false);
      },
    }),
  );
  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title={`Suspend ${cluster.name}?`}
      description="The control plane and every workload stop; nothing is deleted. The cluster's API does not answer until you resume it."
    >
      <div className="space-y-4">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={snapshotFirst} onChange={(e) => setSnapshotFirst(e.target.checked)} /> Take a
          snapshot first
        </label>
        {suspend.isError && (
          <p role="alert" className="text-sm text-red-600">
            {suspend.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button
            variant="primary"
            disabled={suspend.isPending}
            onClick={() => suspend.mutate({ id: cluster.id, snapshotFirst })}
          >
            Suspend
          </Button>
        </div>
      </div>
    </Modal>
  );
}
