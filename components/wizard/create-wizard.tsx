"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Check } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useForm, type Path } from "react-hook-form";
import { toast } from "sonner";
import { createVClusterInputSchema, specSchema } from "@/server/universal/vcluster-spec";
import { issuesOf } from "../api-error";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { useAccess } from "../use-access";
import { AdvancedStep } from "./advanced-step";
import { BasicsStep } from "./basics-step";
import { NetworkStep } from "./network-step";
import { ResourcesStep } from "./resources-step";
import { ReviewStep } from "./review-step";
import { StorageStep } from "./storage-step";
import { STEP_FIELDS, STEPS, stepOfField, type WizardOutput, type WizardValues } from "./wizard-form";

/**
 * Create a vcluster in six steps, validated by the same zod schema the server uses; what the server still refuses
 * (a taken name, the quota, placement) comes back as `{field, message}` and is shown on that field's step.
 */
export function CreateWizard() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const access = useAccess();
  const projects = useQuery(trpc.project.list.queryOptions());
  const writable = (projects.data ?? []).filter((p) => access.canChange(p.id));
  const [step, setStep] = useState(0);
  const [reviewed, setReviewed] = useState<WizardOutput | null>(null);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const form = useForm<WizardValues, unknown, WizardOutput>({
    resolver: zodResolver(createVClusterInputSchema),
    mode: "onTouched",
    defaultValues: {
      projectId: "",
      name: "",
      labels: {},
      annotations: {},
      hostSelector: {},
      spec: specSchema.parse({}),
    },
  });
  const onlyProject = writable.length === 1 ? writable[0].id : null;
  useEffect(() => {
    if (onlyProject && !form.getValues("projectId")) form.setValue("projectId", onlyProject);
  }, [onlyProject, form]);

  const create = useMutation(
    trpc.vcluster.create.mutationOptions({
      onSuccess: (result) => {
        toast.success(`Creating ${result.vcluster.name}`);
        void queryClient.invalidateQueries({ queryKey: trpc.vcluster.list.queryKey() });
        router.push(`/clusters/${result.vcluster.id}`);
      },
      onError: (error) => {
        const issues = issuesOf(error);
        for (const issue of issues) {
          if (issue.field === "quota") form.setError("root.quota", { message: error.message });
          else form.setError(issue.field as Path<WizardValues>, { message: issue.message });
        }
        if (issues.length === 0) form.setError("root.server", { message: error.message });
        setStep(issues.length ? Math.min(...issues.map((i) => stepOfField(i.field))) : STEPS.length - 1);
      },
    }),
  );

  async function next() {
    const fields = STEP_FIELDS[step] as Path<WizardValues>[];
    if (!(await form.trigger(fields, { shouldFocus: true }))) return;
    if (step === STEPS.length - 2) {
      await form.handleSubmit(
        (values) => {
          setReviewed(values);
          setStep(STEPS.length - 1);
        },
        () => {
          const first = Object.keys(form.formState.errors)[0];
          if (first)
            setStep(stepOfField(first === "spec" ? `spec.${Object.keys(form.formState.errors.spec ?? {})[0]}` : first));
        },
      )();
      return;
    }
    setStep(step + 1);
  }

  const root = form.formState.errors.root;
  return (
    <div className="space-y-6">
      <ol className="flex flex-wrap gap-2 text-sm" aria-label="Steps">
        {STEPS.map((name, index) => (
          <li key={name}>
            <button
              type="button"
              aria-current={index === step ? "step" : undefined}
              disabled={index > step}
              onClick={() => setStep(index)}
              className={`inline-flex items-center gap-1.5 rounded-full px-3 py-1 ${index === step ? "bg-indigo-600 text-white" : index < step ? "bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" : "bg-slate-100 text-slate-500 dark:bg-slate-800"}`}
            >
              {index < step ? <Check className="size-3" /> : <span className="text-xs">{index + 1}</span>}
              {name}
            </button>
          </li>
        ))}
      </ol>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (step < STEPS.length - 1) void next();
          else if (reviewed) {
            form.clearErrors("root");
            create.mutate({ ...reviewed, idempotencyKey });
          }
        }}
        className="rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 className="mb-4 text-lg font-semibold">{STEPS[step]}</h2>
        {step === 0 && <BasicsStep form={form} projects={writable} />}
        {step === 1 && <ResourcesStep form={form} />}
        {step === 2 && <NetworkStep form={form} />}
        {step === 3 && <StorageStep form={form} />}
        {step === 4 && <AdvancedStep form={form} />}
        {step === 5 && reviewed && (
          <ReviewStep
            values={reviewed}
            projectName={writable.find((p) => p.id === reviewed.projectId)?.name ?? reviewed.projectId}
            quotaRefusal={root?.quota?.message}
          />
        )}
        {root?.server?.message && (
          <p role="alert" className="mt-4 text-sm text-red-600">
            {root.server.message}
          </p>
        )}
        <div className="mt-6 flex justify-between gap-2">
          <Button disabled={step === 0} onClick={() => setStep(step - 1)}>
            Back
          </Button>
          {step < STEPS.length - 1 ? (
            <Button type="submit" variant="primary">
              Next
            </Button>
          ) : (
            <Button type="submit" variant="primary" disabled={create.isPending || !reviewed}>
              {create.isPending ? "Creating…" : "Create cluster"}
            </Button>
          )}
        </div>
      </form>
    </div>
  );
}
