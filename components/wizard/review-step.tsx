import { stringify } from "yaml";
import { QuotaPreview } from "./quota-preview";
import type { WizardOutput } from "./wizard-form";

export function ReviewStep({ values, projectName, quotaRefusal }: { values: WizardOutput; projectName: string; quotaRefusal: string | undefined }) {
  const { idempotencyKey: _key, projectId: _id, ...rest } = values;
  const shown = { project: projectName, ...rest };
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <div>
        <h3 className="mb-2 text-sm font-semibold">What will be created</h3>
        <pre data-testid="review-spec" className="max-h-[28rem] overflow-auto rounded-md bg-slate-100 p-3 font-mono text-xs dark:bg-slate-950">
          {stringify(shown)}
        </pre>
      </div>
      <div>
        <h3 className="mb-2 text-sm font-semibold">Project quota</h3>
        <QuotaPreview values={values} refusal={quotaRefusal} />
      </div>
    </div>
  );
}
