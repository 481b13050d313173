/**
 * Two ways to put a vcluster's control plane on a host, behind one interface: `manifests` server-side-applies the
 * rendered objects itself; `helm` runs the real chart. Both are idempotent, so a resumed operation can re-run them.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AppError } from "@/server/errors";
import type { HostClients } from "@/server/adapters/kubernetes/host-client";
import { renderHostObjects, renderNamespace } from "./manifests";
import type { HostSpec, VClusterTarget } from "./types";
import { renderValues } from "./values";

export type InstallerKind = "manifests" | "helm";

export interface Installer {
  readonly kind: InstallerKind;
  /** creates or updates everything of the vcluster; `replicas` overrides the spec's (0 while paused) */
  install(target: VClusterTarget, spec: HostSpec, replicas: number): Promise<void>;
  /** removes what the installer itself tracks; the adapter then deletes the namespace */
  uninstall(target: VClusterTarget): Promise<void>;
}

export function createManifestsInstaller(clients: HostClients): Installer {
  return {
    kind: "manifests",
    async install(target, spec, replicas) {
      for (const object of renderHostObjects(target, spec, replicas)) await clients.apply(object);
    },
    // everything it applied lives in the namespace, which the adapter deletes
    async uninstall() {},
  };
}

export const VCLUSTER_CHART_REPO = "https://charts.loft.sh";
export const DEFAULT_CHART_VERSION = "0.30.0";
const HELM_TIMEOUT_MS = 5 * 60_000;

export interface HelmOptions {
  /** the helm binary; defaults to $HELM_BIN, then `helm` on PATH */
  bin?: string;
  chartVersion?: string;
  /** a server reachable from outside the host, for the chart's exportKubeConfig.server */
  exportKubeConfigServer?: (target: VClusterTarget) => string | undefined;
}

interface HelmRun {
  code: number;
  stderr: string;
}

function runHelm(bin: string, args: string[]): Promise<HelmRun> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: HELM_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: process.env }, (err, _stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") return reject(new AppError("NOT_AVAILABLE", `the helm binary "${bin}" was not found; install helm or set HELM_BIN`));
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stderr: String(stderr) });
    });
  });
}

function helmFailure(action: string, host: string, run: HelmRun): AppError {
  const detail = run.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 500);
  if (/unauthorized|forbidden/i.test(detail)) return new AppError("FORBIDDEN", `host ${host} refused the portal's host credentials during helm ${action}: ${detail}`);
  if (/connection refused|i\/o timeout|no such host|timed out|EOF|connection reset/i.test(detail)) return new AppError("UNAVAILABLE", `host ${host} is unavailable for helm ${action}: ${detail}`);
  return new AppError("INTERNAL", `helm ${action} failed (exit ${run.code}) on host ${host}: ${detail}`);
}

/** Runs `fn` with private temp files for the host kubeconfig (and values), removed afterwards whatever happens. */
async function withPrivateFiles<T>(files: Record<string, string>, fn: (paths: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "open-vcluster-helm-"));
  try {
    const paths: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      paths[name] = path.join(dir, name);
      await fs.writeFile(paths[name], content, { mode: 0o600 });
    }
    return await fn(paths);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function createHelmInstaller(clients: HostClients, kubeconfig: string, options: HelmOptions = {}): Installer {
  const bin = options.bin ?? process.env.HELM_BIN ?? "helm";
  const chartVersion = options.chartVersion ?? DEFAULT_CHART_VERSION;
  return {
    kind: "helm",
    async install(target, spec, replicas) {
      // the namespace first, so it carries the portal's labels (helm's --create-namespace would leave it bare)
      await clients.apply(renderNamespace(target, spec));
      const values = renderValues({ ...spec, replicas }, { exportKubeConfigServer: options.exportKubeConfigServer?.(target) });
      const run = await withPrivateFiles({ "values.yaml": values, kubeconfig }, (p) =>
        runHelm(bin, [
          "upgrade",
          "--install",
          target.name,
          "vcluster",
          "--repo",
          VCLUSTER_CHART_REPO,
          "--version",
          chartVersion,
          "--namespace",
          target.namespace,
          "--create-namespace",
          "--values",
          p["values.yaml"],
          "--kubeconfig",
          p.kubeconfig,
          "--wait=false",
        ]),
      );
      if (run.code !== 0) throw helmFailure("upgrade --install", clients.hostName, run);
    },
    async uninstall(target) {
      const run = await withPrivateFiles({ kubeconfig }, (p) => runHelm(bin, ["uninstall", target.name, "-n", target.namespace, "--kubeconfig", p.kubeconfig]));
      if (run.code !== 0 && !/not found/i.test(run.stderr)) throw helmFailure("uninstall", clients.hostName, run);
    },
  };
}
