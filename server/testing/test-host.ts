/** Test support: a simulated host cluster over real HTTPS in a temp dir, and polling for observable state. */
import { setTimeout as delay } from "node:timers/promises";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startHostSim, type HostSim, type HostSimOptions } from "@open-vcluster/hostsim";
import type { HostSpec, VClusterTarget } from "@/server/adapters/vcluster/types";

export interface TestHost {
  sim: HostSim;
  kc: KubeConfig;
  close(): Promise<void>;
}

export async function startTestHost(options: Partial<HostSimOptions> = {}): Promise<TestHost> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "adapters-host-"));
  const sim = await startHostSim({ podReadyDelayMs: 20, ...options, dataDir });
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  return {
    sim,
    kc,
    async close() {
      await sim.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value; fails with the last error after about 10 s. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  tries = 400,
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await delay(25);
  }
  throw new Error(`never happened: ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

export function testTarget(name: string, overrides: Partial<VClusterTarget> = {}): VClusterTarget {
  return { vclusterId: `id-${name}`, projectId: "proj-1", name, namespace: `vc-${name}`, ...overrides };
}

export function testSpec(overrides: Partial<HostSpec> = {}): HostSpec {
  return {
    kubernetesVersion: "1.31.1",
    distro: "k8s",
    replicas: 1,
    enableHa: false,
    cpuRequestMillis: 200,
    cpuLimitMillis: 1000,
    memoryRequestBytes: 256n * 2n ** 20n,
    memoryLimitBytes: 1n * 2n ** 30n,
    enablePersistence: true,
    persistenceSizeBytes: 5n * 2n ** 30n,
    defaultStorageClass: null,
    serviceCidr: null,
    enableNetworkPolicies: false,
    clusterDomain: "cluster.local",
    sync: {
      toHost: { ingresses: false, persistentVolumeClaims: true },
      fromHost: { nodes: false, storageClasses: true },
    },
    plugins: [],
    ingress: { enabled: false, host: null, ingressClassName: null },
    helmValues: "",
    labels: {},
    ...overrides,
  };
}
