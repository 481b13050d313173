"use client";

import { useQuery } from "@tanstack/react-query";
import { stringify } from "yaml";
import { useTRPC } from "../trpc";
import { QuotaPreview } from "./quota-preview";
import type { WizardOutput } from "./wizard-form";

/** The values file a create would install, from the server's dry run of exactly these values (same checks, nothing created). */
function HelmValuesPreview({ values }: { values: WizardOutput }) {
  const trpc = useTRPC();
  const { idempotencyKey: _key, ...request } = values;
  const dryRun = useQuery(trpc.vcluster.dryRun.queryOptions(request, { retry: false }));
  return (
    <section aria-labelledby="helm-values-heading" className="lg:col-span-2">
      <h3 id="helm-values-heading" className="mb-2 text-sm font-semibold">
        Helm values
      </h3>
      {dryRun.isPending && <p className="text-sm text-slate-500">Rendering the values file…</p>}
      {dryRun.isError && (
        <p role="alert" className="text-sm text-red-600">
          The dry run refused this cluster: {dryRun.error.message}
        </p>
      )}
      {dryRun.data && (
        <>
          <p className="mb-2 text-xs text-slate-500">
            vcluster chart {dryRun.data.chart.version}
            {dryRun.data.hostCluster ? ` on host ${dryRun.data.hostCluster.name}` : " (no host cluster registered yet)"}
          </p>
          <pre
            data-testid="review-helm-values"
            aria-readonly="true"
            className="max-h-[28rem] overflow-auto rounded-md bg-slate-100 p-3 font-mono text-xs dark:bg-slate-950"
          >
            <code>{dryRun.data.values}</code>
          </pre>
        </>
      )}
    </section>
  );
}

export function ReviewStep({
  values,
  projectName,
  quotaRefusal,
}: {
  values: WizardOutput;
  projectName: string;
  quotaRefusal: string | undefined;
}) {
  const { idempotencyKey: _key, projectId: _id, ...rest } = values;
  const shown = { project: projectName, ...rest };
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <div>
        <h3 className="mb-2 text-sm font-semibold">What will be created</h3>
        <pre
          data-testid="review-spec"
          className="max-h-[28rem] overflow-auto rounded-md bg-slate-100 p-3 font-mono text-xs dark:bg-slate-950"
        >
          {stringify(shown)}
        </pre>
      </div>
      <div>
        <h3 className="mb-2 text-sm font-semibold">Project quota</h3>
        <QuotaPreview values={values} refusal={quotaRefusal} />
      </div>
      <HelmValuesPreview values={values} />
    </div>
  );
}
