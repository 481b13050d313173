import { HA_REPLICAS, MAX_REPLICAS } from "@/server/universal/vcluster-spec";
import { Field, inputClass } from "../ui/field";
import { Checkbox } from "./wizard-fields";
import type { WizardForm } from "./wizard-form";

const RESOURCES = [
  { name: "cpuRequest", label: "CPU request", help: "Counted against the project quota, per replica." },
  { name: "cpuLimit", label: "CPU limit", help: "e.g. 500m or 2" },
  { name: "memoryRequest", label: "Memory request", help: "Counted against the project quota, per replica." },
  { name: "memoryLimit", label: "Memory limit", help: "e.g. 512Mi or 2Gi" },
] as const;

export function ResourcesStep({ form }: { form: WizardForm }) {
  const errors = form.formState.errors;
  const ha = form.watch("spec.enableHa");
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {RESOURCES.map(({ name, label, help }) => (
        <Field key={name} label={label} htmlFor={name} error={errors.spec?.resources?.[name]?.message} help={help}>
          <input
            id={name}
            {...form.register(`spec.resources.${name}`)}
            aria-invalid={Boolean(errors.spec?.resources?.[name])}
            className={inputClass}
          />
        </Field>
      ))}
      <Field
        label="Control plane replicas"
        htmlFor="replicas"
        error={errors.spec?.replicas?.message}
        help={`1, or 2 to ${MAX_REPLICAS} with high availability (a single replica keeps its state in SQLite; ${HA_REPLICAS} by default)`}
      >
        <input
          id="replicas"
          type="number"
          min={1}
          max={MAX_REPLICAS}
          readOnly={ha}
          {...form.register("spec.replicas", { valueAsNumber: true })}
          aria-invalid={Boolean(errors.spec?.replicas)}
          className={inputClass}
        />
      </Field>
      <div className="flex items-end pb-2">
        <Checkbox
          id="enableHa"
          label="High availability"
          help={`Keeps the state in a deployed etcd of 3 members and runs ${HA_REPLICAS} control plane replicas by default.`}
          {...form.register("spec.enableHa", {
            onChange: (e: { target: { checked: boolean } }) =>
              form.setValue("spec.replicas", e.target.checked ? HA_REPLICAS : 1, { shouldValidate: true }),
          })}
        />
      </div>
    </div>
  );
}
