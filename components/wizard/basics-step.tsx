import { DISTROS, MAX_NAME_LENGTH, SUPPORTED_KUBERNETES_VERSIONS } from "@/server/universal/vcluster-spec";
import { Field, inputClass } from "../ui/field";
import type { WizardForm } from "./wizard-form";

export function BasicsStep({ form, projects }: { form: WizardForm; projects: { id: string; name: string }[] }) {
  const errors = form.formState.errors;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field
        label="Name"
        htmlFor="name"
        error={errors.name?.message}
        help={`Lower-case letters, digits and '-', at most ${MAX_NAME_LENGTH} characters.`}
      >
        <input
          id="name"
          autoComplete="off"
          {...form.register("name")}
          aria-invalid={Boolean(errors.name)}
          className={inputClass}
        />
      </Field>
      <Field label="Project" htmlFor="projectId" error={errors.projectId?.message}>
        <select
          id="projectId"
          {...form.register("projectId")}
          aria-invalid={Boolean(errors.projectId)}
          className={inputClass}
        >
          <option value="">Choose a project</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Kubernetes version" htmlFor="kubernetesVersion" error={errors.spec?.kubernetesVersion?.message}>
        <select id="kubernetesVersion" {...form.register("spec.kubernetesVersion")} className={inputClass}>
          {SUPPORTED_KUBERNETES_VERSIONS.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      </Field>
      <Field
        label="Distribution"
        htmlFor="distro"
        error={errors.spec?.distro?.message}
        help="Recent vcluster charts ship the upstream k8s distribution only."
      >
        <select id="distro" {...form.register("spec.distro")} className={inputClass}>
          {DISTROS.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
      </Field>
    </div>
  );
}
