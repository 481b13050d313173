"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { issuesOf } from "../api-error";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import { Modal } from "../ui/modal";
import { useAccess } from "../use-access";
import { PV_NOTE, type SnapshotView } from "./snapshot-types";

/** A new cluster with the snapshot's spec and objects; opens its page to watch it come up. */
export function CloneDialog({ snapshot, onClose }: { snapshot: SnapshotView; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const access = useAccess();
  const projects = useQuery(trpc.project.list.queryOptions());
  const writable = (projects.data ?? []).filter((p) => access.canChange(p.id));
  const [name, setName] = useState(`${snapshot.vclusterName}-clone`.slice(0, 63));
  const [projectId, setProjectId] = useState(snapshot.projectId);
  const clone = useMutation(
    trpc.snapshot.clone.mutationOptions({
      onSuccess: (result) => {
        toast.success(`Creating ${result.vcluster.name} from ${snapshot.name}`);
        void queryClient.invalidateQueries({ queryKey: trpc.vcluster.list.queryKey() });
        onClose();
        router.push(`/clusters/${result.vcluster.id}`);
      },
    }),
  );
  const issues = issuesOf(clone.error);
  const nameError =
    issues.find((i) => i.field === "name")?.message ??
    (clone.isError && issues.length === 0 && /name|already/i.test(clone.error.message)
      ? clone.error.message
      : undefined);
  const projectError = issues.find((i) => i.field === "projectId")?.message;
  const otherError = clone.isError && !nameError && !projectError ? clone.error.message : undefined;
  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Clone ${snapshot.name}`}
      description={`A new virtual cluster with the spec and objects of ${snapshot.vclusterName} at the time of the snapshot. ${PV_NOTE}`}
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          clone.mutate({ snapshotId: snapshot.id, name: name.trim(), projectId });
        }}
      >
        <Field
          label="New cluster name"
          htmlFor="clone-name"
          error={nameError}
          help="Lower-case letters, digits and '-'."
        >
          <input
            id="clone-name"
            autoComplete="off"
            value={name}
            aria-invalid={nameError ? true : undefined}
            onChange={(e) => setName(e.target.value)}
            className={`${inputClass} font-mono`}
          />
        </Field>
        <Field label="Project" htmlFor="clone-project" error={projectError}>
          <select
            id="clone-project"
            value={projectId}
            onChange={(e) => setProjectId(e.target.value)}
            className={inputClass}
          >
            {writable.length === 0 && <option value={snapshot.projectId}>{snapshot.projectId}</option>}
            {writable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        {otherError && (
          <p role="alert" className="text-sm text-red-600">
            {otherError}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!name.trim() || clone.isPending}>
            Clone
          </Button>
        </div>
      </form>
    </Modal>
  );
}
