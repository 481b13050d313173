import { Field, inputClass } from "../ui/field";
import { Checkbox } from "./wizard-fields";
import { emptyAsUnset, type WizardForm } from "./wizard-form";

export function NetworkStep({ form }: { form: WizardForm }) {
  const errors = form.formState.errors.spec?.network;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field
        label="Service CIDR"
        htmlFor="serviceCidr"
        error={errors?.serviceCidr?.message}
        help="Optional: only when vcluster cannot detect the host's service CIDR; it must be the host's. Pods always use the host's pod network."
      >
        <input
          id="serviceCidr"
          placeholder="default of the host"
          {...form.register("spec.network.serviceCidr", emptyAsUnset)}
          aria-invalid={Boolean(errors?.serviceCidr)}
          className={inputClass}
        />
      </Field>
      <Field label="Cluster domain" htmlFor="clusterDomain" error={errors?.dns?.clusterDomain?.message}>
        <input
          id="clusterDomain"
          {...form.register("spec.network.dns.clusterDomain")}
          aria-invalid={Boolean(errors?.dns?.clusterDomain)}
          className={inputClass}
        />
      </Field>
      <div className="flex items-end pb-2">
        <Checkbox
          id="enableNetworkPolicies"
          label="Network policies"
          help="Isolate the cluster's workloads from other tenants on the host."
          {...form.register("spec.network.enableNetworkPolicies")}
        />
      </div>
    </div>
  );
}
