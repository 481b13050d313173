import { Plus, X } from "lucide-react";
import { Controller, useFieldArray } from "react-hook-form";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import { KeyValueField } from "../ui/key-value-field";
import { Checkbox, firstMessage } from "./wizard-fields";
import { emptyAsUnset, type WizardForm } from "./wizard-form";

export function AdvancedStep({ form }: { form: WizardForm }) {
  const errors = form.formState.errors;
  const plugins = useFieldArray({ control: form.control, name: "spec.plugins" });
  const ingress = form.watch("spec.ingress.enabled");
  return (
    <div className="space-y-6">
      <fieldset className="grid gap-3 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Sync between the virtual cluster and the host</legend>
        <Checkbox id="sync-ingresses" label="Ingresses to the host" {...form.register("spec.sync.toHost.ingresses")} />
        <Checkbox
          id="sync-pvcs"
          label="PersistentVolumeClaims to the host"
          {...form.register("spec.sync.toHost.persistentVolumeClaims")}
        />
        <Checkbox
          id="sync-nodes"
          label="Real nodes from the host"
          help="Otherwise the cluster sees pseudo nodes."
          {...form.register("spec.sync.fromHost.nodes")}
        />
        <Checkbox
          id="sync-storageclasses"
          label="StorageClasses from the host"
          {...form.register("spec.sync.fromHost.storageClasses")}
        />
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="mb-2 text-sm font-semibold">Plugins</legend>
        {plugins.fields.map((plugin, index) => (
          <div key={plugin.id} className="grid grid-cols-[1fr_2fr_auto] items-start gap-2">
            <Field label="Name" htmlFor={`plugin-${index}-name`} error={errors.spec?.plugins?.[index]?.name?.message}>
              <input
                id={`plugin-${index}-name`}
                {...form.register(`spec.plugins.${index}.name`)}
                className={inputClass}
              />
            </Field>
            <Field
              label="Image"
              htmlFor={`plugin-${index}-image`}
              error={errors.spec?.plugins?.[index]?.image?.message}
            >
              <input
                id={`plugin-${index}-image`}
                {...form.register(`spec.plugins.${index}.image`)}
                className={inputClass}
              />
            </Field>
            <Button
              variant="ghost"
              aria-label={`Remove plugin ${index + 1}`}
              className="mt-6"
              onClick={() => plugins.remove(index)}
            >
              <X className="size-4" />
            </Button>
          </div>
        ))}
        {errors.spec?.plugins?.message && <p className="text-xs text-red-600">{errors.spec.plugins.message}</p>}
        <Button size="sm" onClick={() => plugins.append({ name: "", image: "" })}>
          <Plus className="size-3" /> Add plugin
        </Button>
      </fieldset>

      <fieldset className="grid gap-3 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Ingress to the cluster&apos;s API</legend>
        <div className="sm:col-span-2">
          <Checkbox
            id="ingress-enabled"
            label="Expose the API through an ingress"
            {...form.register("spec.ingress.enabled")}
          />
        </div>
        {ingress && (
          <>
            <Field label="Host" htmlFor="ingress-host" error={errors.spec?.ingress?.host?.message}>
              <input
                id="ingress-host"
                placeholder="my-cluster.example.com"
                {...form.register("spec.ingress.host", { ...emptyAsUnset, shouldUnregister: true })}
                aria-invalid={Boolean(errors.spec?.ingress?.host)}
                className={inputClass}
              />
            </Field>
            <Field
              label="Ingress class"
              htmlFor="ingress-class"
              error={errors.spec?.ingress?.ingressClassName?.message}
            >
              <input
                id="ingress-class"
                placeholder="nginx"
                {...form.register("spec.ingress.ingressClassName", { ...emptyAsUnset, shouldUnregister: true })}
                className={inputClass}
              />
            </Field>
          </>
        )}
      </fieldset>

      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          label="Labels"
          htmlFor="labels"
          error={firstMessage(errors.labels)}
          help="One key=value per line; filter the list by them."
        >
          <Controller
            control={form.control}
            name="labels"
            render={({ field }) => (
              <KeyValueField
                id="labels"
                value={field.value ?? {}}
                onChange={field.onChange}
                invalid={Boolean(errors.labels)}
                placeholder="team=web"
              />
            )}
          />
        </Field>
        <Field
          label="Annotations"
          htmlFor="annotations"
          error={firstMessage(errors.annotations)}
          help="One key=value per line."
        >
          <Controller
            control={form.control}
            name="annotations"
            render={({ field }) => (
              <KeyValueField
                id="annotations"
                value={field.value ?? {}}
                onChange={field.onChange}
                invalid={Boolean(errors.annotations)}
              />
            )}
          />
        </Field>
      </div>

      <Field
        label="Helm values (YAML)"
        htmlFor="helmValues"
        error={errors.spec?.helmValues?.message}
        help="Only allow-listed vcluster.yaml keys (README: Helm values): labels and annotations, CoreDNS replicas and resources, extra sync toggles."
      >
        <textarea
          id="helmValues"
          rows={8}
          spellCheck={false}
          placeholder={"controlPlane:\n  statefulSet:\n    labels:\n      team: web"}
          {...form.register("spec.helmValues")}
          aria-invalid={Boolean(errors.spec?.helmValues)}
          className={`${inputClass} font-mono text-xs`}
        />
      </Field>
    </div>
  );
}
