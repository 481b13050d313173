import { Field, inputClass } from "../ui/field";
import { Checkbox } from "./wizard-fields";
import { emptyAsUnset, type WizardForm } from "./wizard-form";

export function StorageStep({ form }: { form: WizardForm }) {
  const errors = form.formState.errors.spec?.storage;
  const persistent = form.watch("spec.storage.enablePersistence");
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field
        label="Default storage class"
        htmlFor="defaultStorageClass"
        error={errors?.defaultStorageClass?.message}
        help="Optional: the host's default otherwise."
      >
        <input
          id="defaultStorageClass"
          {...form.register("spec.storage.defaultStorageClass", emptyAsUnset)}
          aria-invalid={Boolean(errors?.defaultStorageClass)}
          className={inputClass}
        />
      </Field>
      <div className="flex items-end pb-2">
        <Checkbox
          id="enablePersistence"
          label="Persistent control plane data"
          help="Keeps the cluster's state on a volume; counted against the storage quota."
          {...form.register("spec.storage.enablePersistence")}
        />
      </div>
      <Field
        label="Volume size"
        htmlFor="persistenceSize"
        error={errors?.persistenceSize?.message}
        help="Per replica, e.g. 5Gi"
      >
        <input
          id="persistenceSize"
          readOnly={!persistent}
          {...form.register("spec.storage.persistenceSize")}
          aria-invalid={Boolean(errors?.persistenceSize)}
          className={inputClass}
        />
      </Field>
    </div>
  );
}
