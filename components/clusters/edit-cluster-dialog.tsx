"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useForm, type Path } from "react-hook-form";
import {
  labelsSchema,
  specSchema,
  SUPPORTED_KUBERNETES_VERSIONS,
  type VClusterSpec,
  type VClusterSpecInput,
} from "@/server/universal/vcluster-spec";
import { issuesOf } from "../api-error";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import { KeyValueField } from "../ui/key-value-field";
import { Modal } from "../ui/modal";
import { useAcceptedChange } from "./use-cluster-mutation";

/** Edits what `vcluster.update` changes in place: version, resources, network policies, Helm values and labels. */
export function EditClusterDialog({
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
  const [labels, setLabels] = useState(cluster.labels);
  const [labelsError, setLabelsError] = useState<string | undefined>();
  const form = useForm<VClusterSpecInput, unknown, VClusterSpec>({
    resolver: zodResolver(specSchema),
    defaultValues: specSchema.parse(cluster.spec),
  });
  const errors = form.formState.errors;
  const update = useMutation(
    trpc.vcluster.update.mutationOptions({
      onSuccess: () => {
        accepted(`Updating ${cluster.name}`);
        onOpenChange(false);
      },
      onError: (error) => {
        for (const issue of issuesOf(error)) {
          if (issue.field.startsWith("labels")) setLabelsError(issue.message);
          else if (issue.field.startsWith("spec."))
            form.setError(issue.field.slice("spec.".length) as Path<VClusterSpecInput>, { message: issue.message });
        }
      },
    }),
  );
  const submit = form.handleSubmit((spec) => {
    const parsedLabels = labelsSchema.safeParse(labels);
    if (!parsedLabels.success) {
      setLabelsError(parsedLabels.error.issues[0]?.message);
      return;
    }
    setLabelsError(undefined);
    update.mutate({ id: cluster.id, spec, labels: parsedLabels.data });
  });
  const resource = (name: "cpuRequest" | "cpuLimit" | "memoryRequest" | "memoryLimit", label: string) => (
    <Field label={label} htmlFor={`edit-${name}`} error={errors.resources?.[name]?.message}>
      <input
        id={`edit-${name}`}
        {...form.register(`resources.${name}`)}
        aria-invalid={Boolean(errors.resources?.[name])}
        className={inputClass}
      />
    </Field>
  );
  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title={`Edit ${cluster.name}`}
      description="Changes are rolled out to the control plane; the cluster stays up."
    >
      <form onSubmit={submit} className="space-y-4" noValidate>
        <Field label="Kubernetes version" htmlFor="edit-version" error={errors.kubernetesVersion?.message}>
          <select id="edit-version" {...form.register("kubernetesVersion")} className={inputClass}>
            {SUPPORTED_KUBERNETES_VERSIONS.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
        <div className="grid grid-cols-2 gap-3">
          {resource("cpuRequest", "CPU request")}
          {resource("cpuLimit", "CPU limit")}
          {resource("memoryRequest", "Memory request")}
          {resource("memoryLimit", "Memory limit")}
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" {...form.register("network.enableNetworkPolicies")} /> Isolate with network policies
        </label>
        <Field label="Labels" htmlFor="edit-labels" error={labelsError} help="One key=value per line">
          <KeyValueField id="edit-labels" value={labels} onChange={setLabels} invalid={Boolean(labelsError)} />
        </Field>
        <Field label="Helm values (YAML)" htmlFor="edit-helm" error={errors.helmValues?.message}>
          <textarea
            id="edit-helm"
            rows={5}
            {...form.register("helmValues")}
            spellCheck={false}
            className={`${inputClass} font-mono text-xs`}
          />
        </Field>
        {update.isError && (
          <p role="alert" className="text-sm text-red-600">
            {update.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={update.isPending}>
            Save changes
          </Button>
        </div>
      </form>
    </Modal>
  );
}
