/**
 * The Kubernetes versions each pinned vcluster chart release supports: one image of ghcr.io/loft-sh/kubernetes per
 * minor version, copied from `K8SVersionMap` in config/default_extra_values.go of the release's tag. A version not
 * listed for a release has no image that release was tested with, so the portal refuses it rather than guess a tag.
 * Pure and free of server imports: the wizard offers the default release's list.
 */
import { AppError, invalidField } from "./errors";

/** loft-sh/vcluster v0.36.1 config/default_extra_values.go K8SVersionMap, newest first */
const CHART_0_36_1 = ["1.36.0", "1.35.0", "1.34.0", "1.33.4", "1.32.1", "1.31.1", "1.30.2"] as const;
/** loft-sh/vcluster v0.30.0 config/default_extra_values.go K8SVersionMap, newest first */
const CHART_0_30_0 = ["1.34.0", "1.33.4", "1.32.1", "1.31.1", "1.30.2"] as const;

export const KUBERNETES_VERSIONS_BY_CHART: Readonly<Record<string, readonly string[]>> = {
  "0.36.1": CHART_0_36_1,
  "0.30.0": CHART_0_30_0,
};

/** What the spec schema offers: the default pinned release's versions (DEFAULT_CHART_VERSION in chart-source.ts). */
export const SUPPORTED_KUBERNETES_VERSIONS = CHART_0_36_1;
/** the chart's own default (controlPlane.distro.k8s.image.tag in its values.yaml) */
export const DEFAULT_KUBERNETES_VERSION = CHART_0_36_1[0];

const minorOf = (version: string) => version.replace(/^v/, "").split(".").slice(0, 2).join(".");

function versionsOf(chartVersion: string): readonly string[] {
  const versions = KUBERNETES_VERSIONS_BY_CHART[chartVersion];
  if (!versions) {
    throw new AppError(
      "INVALID",
      `chart version ${chartVersion} is not in the portal's Kubernetes version table (known: ${Object.keys(KUBERNETES_VERSIONS_BY_CHART).join(", ")}); add its K8SVersionMap to server/universal/kubernetes-versions.ts`,
    );
  }
  return versions;
}

/** For a new or changed spec: the release must list exactly `version`, so what is asked for is what runs. */
export function checkKubernetesVersion(version: string, chartVersion: string): void {
  const versions = versionsOf(chartVersion);
  if (!versions.includes(version))
    throw invalidField(
      "spec.kubernetesVersion",
      `Kubernetes ${version} is not supported by vcluster chart ${chartVersion}; it supports ${versions.join(", ")}`,
    );
}

/**
 * The image tag to install. Rows created before this table may hold a patch the chart does not list (1.33.1, 1.32.2,
 * 1.31.1, 1.30.4): they get the release's image of the same minor, since a patch change within a minor is what
 * Kubernetes supports and the engine's rollout check compares minors. A minor the release lacks is refused.
 */
export function imageTagFor(version: string, chartVersion: string): string {
  const versions = versionsOf(chartVersion);
  const sameMinor = versions.find((v) => minorOf(v) === minorOf(version));
  if (!sameMinor)
    throw invalidField(
      "spec.kubernetesVersion",
      `Kubernetes ${version} is not supported by vcluster chart ${chartVersion}; it supports ${versions.join(", ")}`,
    );
  return `v${sameMinor}`;
}
