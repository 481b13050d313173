import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CoreV1Api, PortForward, type KubeConfig } from "@kubernetes/client-node";
import YAML from "yaml";
import { eventually, kubeConfigFrom } from "./test-helpers";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The real vcluster charts (../shared/vcluster/README.md); tests fail rather than skip without them. */
export function chartPath(version: "0.36.1" | "0.30.0"): string {
  const p = path.resolve(repoRoot, `../shared/vcluster/vcluster-${version}.tgz`);
  if (!fs.existsSync(p)) throw new Error(`the vcluster chart ${version} is missing at ${p}`);
  return p;
}

/** The real helm binary: HELM_BIN, else the one `npm install` unpacks; tests fail rather than skip without it. */
export function helmBin(): string {
  const bin = process.env.HELM_BIN || path.resolve("node_modules/.bin/ovc-helm");
  if (!fs.existsSync(bin))
    throw new Error(
      `HELM_BIN must name a helm 3 binary (got ${JSON.stringify(bin)}); npm install unpacks one to node_modules/.bin/ovc-helm`,
    );
  return bin;
}

export function helm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      helmBin(),
      args,
      {
        timeout: 120_000,
        env: {
          ...process.env,
          HELM_CACHE_HOME: "/tmp/hostsim-helm-cache",
          HELM_CONFIG_HOME: "/tmp/hostsim-helm-config",
        },
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Writes values to a file and returns its path, for `-f`. */
export function valuesFile(dir: string, name: string, values: unknown): string {
  const file = path.join(dir, `${name}.values.yaml`);
  fs.writeFileSync(file, YAML.stringify(values));
  return file;
}

/** Renders the chart once, as `helm template` does, for tests that apply (and then edit) what it creates. */
export async function renderChart(
  release: string,
  namespace: string,
  values: string,
  version: "0.36.1" | "0.30.0" = "0.36.1",
): Promise<Record<string, unknown>[]> {
  const out = await helm(["template", release, chartPath(version), "-n", namespace, "-f", values]);
  if (out.code !== 0) throw new Error(`helm template failed: ${out.stderr}`);
  return YAML.parseAllDocuments(out.stdout)
    .map((d) => d.toJSON() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);
}

export interface Forward {
  port: number;
  close(): Promise<void>;
}

/** A local listener that carries each connection through its own pods/portforward WebSocket, like `kubectl port-forward`. */
export async function forwardPort(kc: KubeConfig, namespace: string, pod: string, port: number): Promise<Forward> {
  const pf = new PortForward(kc);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // kubectl resets connections it is done with; an unhandled reset would end the test process
    socket.on("error", () => socket.destroy());
    pf.portForward(namespace, pod, [port], socket, null, socket).then(
      (ws) => {
        const w = ws as { on?: (e: string, f: () => void) => void; close?: () => void };
        w.on?.("close", () => socket.destroy());
        socket.on("close", () => w.close?.());
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The kubeconfig of Secret vc-NAME, pointed at a local forward while still checking the certificate for its server's name. */
export function throughForward(config: string, forward: Forward): string {
  const parsed = YAML.parse(config) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const c of parsed.clusters) {
    c.cluster["tls-server-name"] = new URL(String(c.cluster.server)).hostname;
    c.cluster.server = `https://127.0.0.1:${forward.port}`;
  }
  return YAML.stringify(parsed);
}

/** A ready control-plane pod of a release, found by the chart's labels. */
export function readyControlPlanePod(kc: KubeConfig, namespace: string, release: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  return eventually(async () => {
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: `app=vcluster,release=${release}` })).items;
    return pods.find((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))?.metadata
      ?.name;
  }, `a ready control-plane pod of ${release}`);
}

/** Reads Secret vc-NAME's kubeconfig once the syncer has written it. */
export async function vcSecretConfig(kc: KubeConfig, namespace: string, release: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const s = await eventually(
    () => core.readNamespacedSecret({ namespace, name: `vc-${release}` }),
    `secret vc-${release}`,
  );
  return Buffer.from(s.data?.config ?? "", "base64").toString();
}

/** A client of a virtual cluster reached through port-forward to one of its control-plane pods. */
export async function connectVirtual(
  kc: KubeConfig,
  namespace: string,
  release: string,
): Promise<{ kc: KubeConfig; config: string; forward: Forward }> {
  const pod = await readyControlPlanePod(kc, namespace, release);
  const forward = await forwardPort(kc, namespace, pod, 8443);
  const config = throughForward(await vcSecretConfig(kc, namespace, release), forward);
  return { kc: kubeConfigFrom(config), config, forward };
}
