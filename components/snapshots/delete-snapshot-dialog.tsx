"use client";

import { useMutation } from "@tanstack/react-query";
import { toast } from "sonner";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Modal } from "../ui/modal";
import type { SnapshotView } from "./snapshot-types";
import { useSnapshotsChanged } from "./use-snapshot-changed";

export function DeleteSnapshotDialog({ snapshot, onClose }: { snapshot: SnapshotView; onClose: () => void }) {
  const trpc = useTRPC();
  const changed = useSnapshotsChanged();
  const remove = useMutation(
    trpc.snapshot.delete.mutationOptions({
      onSuccess: () => {
        toast.success(`Deleted snapshot ${snapshot.name}`);
        changed();
        onClose();
      },
    }),
  );
  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Delete snapshot ${snapshot.name}?`}
      description="Its stored data is removed; the cluster it was taken from is not touched. This cannot be undone."
    >
      <div className="space-y-4">
        {remove.isError && (
          <p role="alert" className="text-sm text-red-600">
            {remove.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate({ id: snapshot.id })}>
            Delete snapshot
          </Button>
        </div>
      </div>
    </Modal>
  );
}
