import type { UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import type { createVClusterInputSchema } from "@/server/universal/vcluster-spec";

export type WizardValues = z.input<typeof createVClusterInputSchema>;
export type WizardOutput = z.output<typeof createVClusterInputSchema>;
export type WizardForm = UseFormReturn<WizardValues, unknown, WizardOutput>;

export const STEPS = ["Basics", "Resources", "Network", "Storage", "Advanced", "Review"] as const;
export type Step = (typeof STEPS)[number];

/** Which step shows a field, so a refusal (from the schema or the server) opens the step where it can be fixed. */
export function stepOfField(field: string): number {
  const f = field.replace(/^spec\./, "");
  if (field === "name" || field === "projectId" || f === "kubernetesVersion" || f === "distro") return 0;
  if (f.startsWith("resources") || f === "replicas" || f === "enableHa") return 1;
  if (f.startsWith("network")) return 2;
  if (f.startsWith("storage")) return 3;
  if (field === "quota") return 5;
  return 4;
}

/** Fields each step validates before moving on. */
export const STEP_FIELDS: readonly (readonly string[])[] = [
  ["name", "projectId", "spec.kubernetesVersion", "spec.distro"],
  ["spec.resources", "spec.replicas", "spec.enableHa"],
  ["spec.network"],
  ["spec.storage"],
  ["spec.sync", "spec.plugins", "spec.ingress", "spec.helmValues", "labels", "annotations"],
  [],
];

/** Optional text fields: an empty box means "not set", not an empty value the schema would refuse. */
export const emptyAsUnset = { setValueAs: (value: string) => (value === "" ? undefined : value) };
