/**
 * Where the vcluster chart comes from: a local `.tgz` or directory, an `oci://` reference, or a chart repository
 * URL, at a pinned version. Set for the portal (VCLUSTER_CHART, VCLUSTER_CHART_VERSION) and optionally per host
 * cluster (air-gapped hosts use a mirror). One parser, so every setting is refused by the same rules.
 */
import fs from "node:fs";
import path from "node:path";
import { AppError, invalidField } from "@/server/universal/errors";

export const DEFAULT_CHART_REF = "https://charts.loft.sh";
export const DEFAULT_CHART_VERSION = "0.36.1";
/** the chart's name in a repository index */
export const CHART_NAME = "vcluster";

export type ChartKind = "local" | "oci" | "repo";

export interface ChartSource {
  ref: string;
  version: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;

export function chartKind(ref: string): ChartKind {
  if (ref.startsWith("oci://")) return "oci";
  if (/^https?:\/\//.test(ref)) return "repo";
  return "local";
}

/** Checks a chart setting; `field` names it in the error (e.g. VCLUSTER_CHART or hostCluster.chart). */
export function parseChartSource(ref: string, version: string, fields: { ref: string; version: string }): ChartSource {
  const trimmed = ref.trim();
  if (!trimmed)
    throw invalidField(
      fields.ref,
      "must name a chart: a local .tgz or directory, an oci:// reference, or a chart repository URL",
    );
  if (!SEMVER.test(version))
    throw invalidField(
      fields.version,
      `must be a chart version like ${DEFAULT_CHART_VERSION} (semantic version, no leading v)`,
    );
  const kind = chartKind(trimmed);
  if (kind === "repo" || kind === "oci") {
    let url: URL;
    try {
      url = new URL(kind === "oci" ? trimmed.replace(/^oci:/, "https:") : trimmed);
    } catch {
      throw invalidField(fields.ref, "must be a valid URL");
    }
    if (url.username || url.password) throw invalidField(fields.ref, "must not carry credentials in the URL");
    if (url.search || url.hash) throw invalidField(fields.ref, "must not have a query or fragment");
    return { ref: trimmed, version };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed))
    throw invalidField(fields.ref, "supports only local paths, oci:// and http(s):// chart repositories");
  return { ref: path.resolve(trimmed), version };
}

/** The portal-wide chart, from the environment. */
export function chartFromEnv(env: { VCLUSTER_CHART?: string; VCLUSTER_CHART_VERSION?: string }): ChartSource {
  return parseChartSource(
    env.VCLUSTER_CHART ?? DEFAULT_CHART_REF,
    env.VCLUSTER_CHART_VERSION ?? DEFAULT_CHART_VERSION,
    { ref: "VCLUSTER_CHART", version: "VCLUSTER_CHART_VERSION" },
  );
}

/** A host's own chart when it sets one, else the portal's. */
export function chartForHost(
  host: { chartRef: string | null; chartVersion: string | null },
  portal: ChartSource,
): ChartSource {
  if (!host.chartRef && !host.chartVersion) return portal;
  return parseChartSource(host.chartRef ?? portal.ref, host.chartVersion ?? portal.version, {
    ref: "hostCluster.chartRef",
    version: "hostCluster.chartVersion",
  });
}

/** The chart arguments of `helm upgrade --install NAME …` / `helm template NAME …` / `helm show chart …`. */
export function chartArgs(source: ChartSource): string[] {
  switch (chartKind(source.ref)) {
    case "repo":
      return [CHART_NAME, "--repo", source.ref, "--version", source.version];
    case "oci":
      return [source.ref, "--version", source.version];
    case "local":
      if (!fs.existsSync(source.ref))
        throw new AppError(
          "NOT_AVAILABLE",
          `the vcluster chart ${source.ref} does not exist (VCLUSTER_CHART or the host cluster's chart setting)`,
        );
      // helm ignores --version for a local chart, so the version is checked against its Chart.yaml instead
      return [source.ref];
  }
}

/** Orders chart versions; only the numeric parts matter for upgrades between releases. */
export function compareChartVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
