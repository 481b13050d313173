import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startHostSim, type HostSim, type HostSimOptions } from "./index";

export interface TestSim {
  sim: HostSim;
  kc: KubeConfig;
  dataDir: string;
  kubeconfigPath: string;
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export function tempDir(prefix = "hostsim-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function kubeConfigFrom(yaml: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
}

export function runKubectl(kubeconfigPath: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("kubectl", ["--kubeconfig", kubeconfigPath, ...args], { timeout: 60_000, env: { ...process.env, KUBECACHEDIR: path.join(path.dirname(kubeconfigPath), "kube-cache") } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs kubectl until its output satisfies done (e.g. `get -w` saw an event), then kills it. */
export function kubectlUntil(kubeconfigPath: string, args: string[], done: (stdout: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", ["--kubeconfig", kubeconfigPath, ...args], { env: { ...process.env, KUBECACHEDIR: path.join(path.dirname(kubeconfigPath), "kube-cache") } });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kubectl ${args.join(" ")} never produced the expected output; stdout: ${out}; stderr: ${err}`));
    }, 30_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (done(out)) {
        clearTimeout(timer);
        child.kill("SIGKILL");
        resolve(out);
      }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  });
}

export async function startTestSim(opts: Partial<HostSimOptions> = {}): Promise<TestSim> {
  const dataDir = opts.dataDir ?? tempDir();
  const sim = await startHostSim({ podReadyDelayMs: 30, ...opts, dataDir });
  const kubeconfigPath = path.join(dataDir, "admin.kubeconfig");
  fs.writeFileSync(kubeconfigPath, sim.kubeconfig);
  return {
    sim,
    kc: kubeConfigFrom(sim.kubeconfig),
    dataDir,
    kubeconfigPath,
    kubectl: (args, input) => runKubectl(kubeconfigPath, args, input),
    close: () => sim.close(),
  };
}

/** Polls check until it returns a value (not undefined); fails with the last observation after many tries. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, tries = 400): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}
