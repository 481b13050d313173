import { execFile, spawn } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import https from "node:https";
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

export function runKubectl(
  kubeconfigPath: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      ["--kubeconfig", kubeconfigPath, ...args],
      { timeout: 60_000, env: { ...process.env, KUBECACHEDIR: path.join(path.dirname(kubeconfigPath), "kube-cache") } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs kubectl until its output satisfies done (e.g. `get -w` saw an event), then kills it. */
export function kubectlUntil(
  kubeconfigPath: string,
  args: string[],
  done: (stdout: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", ["--kubeconfig", kubeconfigPath, ...args], {
      env: { ...process.env, KUBECACHEDIR: path.join(path.dirname(kubeconfigPath), "kube-cache") },
    });
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
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  tries = 400,
): Promise<T> {
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

export interface RawResponse {
  status: number;
  type: string;
  body: string;
}

/**
 * One HTTPS request to the simulated host with the admin token and the given headers, read to the end; a request
 * for an upgrade the server refuses resolves with that refusal too (a granted upgrade is closed at once).
 */
export function rawRequest(
  sim: HostSim,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string,
): Promise<RawResponse> {
  const u = new URL(sim.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        ca: sim.caPem,
        headers: { Authorization: `Bearer ${sim.adminToken}`, ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body: text }),
        );
      },
    );
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, type: "", body: "" });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export interface KubectlForward {
  port: number;
  /** What kubectl printed on stderr so far. */
  stderr(): string;
  stop(): void;
}

/**
 * Runs `kubectl port-forward TARGET :PORT` until it prints the local port it listens on; rejects with its stderr
 * if it exits first.
 */
export function kubectlPortForward(
  kubeconfigPath: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<KubectlForward> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", ["--kubeconfig", kubeconfigPath, "port-forward", ...args], {
      env: { ...process.env, ...env, KUBECACHEDIR: path.join(path.dirname(kubeconfigPath), "kube-cache") },
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kubectl port-forward never listened; stderr: ${err}`));
    }, 30_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ port: Number(m[1]), stderr: () => err, stop: () => child.kill("SIGKILL") });
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", () => {
      clearTimeout(timer);
      reject(new Error(err));
    });
  });
}

/** A plain HTTP GET to 127.0.0.1:port, read to the end. */
export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, headers: { Connection: "close" } }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}
