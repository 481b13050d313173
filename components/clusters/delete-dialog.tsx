"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import { Modal } from "../ui/modal";
import { useAcceptedChange } from "./use-cluster-mutation";

/** Deleting needs the name typed out; `force` (only from ERROR) skips the orderly teardown on the host. */
export function DeleteDialog({
  cluster,
  force,
  open,
  onOpenChange,
}: {
  cluster: ClusterDetail;
  force: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const accepted = useAcceptedChange(cluster.id);
  const [typed, setTyped] = useState("");
  const remove = useMutation(
    trpc.vcluster.delete.mutationOptions({
      onSuccess: () => {
        accepted(`Deleting ${cluster.name}`);
        onOpenChange(false);
      },
    }),
  );
  const verb = force ? "Force delete" : "Delete";
  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title={`${verb} ${cluster.name}?`}
      description={
        force
          ? "The cluster is in ERROR: its namespace on the host is removed without waiting for an orderly shutdown. Everything in it is lost."
          : "The virtual cluster, its workloads and its data are removed from the host. This cannot be undone."
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate({ id: cluster.id, confirmName: typed, force });
        }}
        className="space-y-4"
      >
        <Field label={`Type ${cluster.name} to confirm`} htmlFor="confirm-name">
          <input
            id="confirm-name"
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            className={`${inputClass} font-mono`}
          />
        </Field>
        {remove.isError && (
          <p role="alert" className="text-sm text-red-600">
            {remove.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="danger" disabled={typed !== cluster.name || remove.isPending}>
            {verb}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
