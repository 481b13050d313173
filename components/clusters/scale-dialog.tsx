"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { MAX_REPLICAS } from "@/server/universal/vcluster-spec";
import { issuesOf } from "../api-error";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import { Modal } from "../ui/modal";
import { useAcceptedChange } from "./use-cluster-mutation";

export function ScaleDialog({
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
  const [replicas, setReplicas] = useState(cluster.replicas);
  const scale = useMutation(
    trpc.vcluster.scale.mutationOptions({
      onSuccess: () => {
        accepted(`Scaling ${cluster.name} to ${replicas}`);
        onOpenChange(false);
      },
    }),
  );
  const fieldError = issuesOf(scale.error).find((i) => i.field === "replicas")?.message;
  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title={`Scale ${cluster.name}`}
      description={`Control plane replicas: 2 to ${MAX_REPLICAS} with high availability (deployed etcd); a vcluster on embedded SQLite runs exactly 1.`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          scale.mutate({ id: cluster.id, replicas });
        }}
        className="space-y-4"
      >
        <Field label="Replicas" htmlFor="scale-replicas" error={fieldError}>
          <input
            id="scale-replicas"
            type="number"
            min={1}
            max={MAX_REPLICAS}
            value={replicas}
            onChange={(e) => setReplicas(Number(e.target.value))}
            aria-invalid={Boolean(fieldError)}
            className={inputClass}
          />
        </Field>
        {scale.isError && !fieldError && (
          <p role="alert" className="text-sm text-red-600">
            {scale.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={scale.isPending || replicas === cluster.replicas}>
            Scale
          </Button>
        </div>
      </form>
    </Modal>
  );
}
