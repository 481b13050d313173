import { setTimeout as delay } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startHostSim, type HostSim, type HostSimOptions } from "@open-vcluster/hostsim";
import { probeHostCluster } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import type { Db } from "@/server/db/client";
import { createAdapterProvider } from "@/server/engine/placement/host-adapters";
import { recordVCluster } from "@/server/engine/lifecycle/record-vcluster";
import { OperationWorker, type WorkerOptions } from "@/server/engine/queue/worker";
import type { Operation, OperationState } from "@/server/generated/prisma/client";
import { registerHostCluster } from "@/server/services/host-clusters";
import { createProject, createUser } from "./factories";
import { createTestDatabase, type TestDatabase } from "./test-database";
import { testChart } from "./test-chart";

export const TEST_CREDENTIALS_KEY = randomBytes(32).toString("hex");

export async function startTestHost(options: Partial<HostSimOptions> = {}): Promise<HostSim & { dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "ovc-host-"));
  const sim = await startHostSim({
    dataDir,
    podReadyDelayMs: 30,
    nodes: 2,
    nodeCpu: "16",
    nodeMemory: "64Gi",
    ...options,
  });
  return {
    ...sim,
    dataDir,
    async close() {
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function registerTestHost(db: Db, name: string, kubeconfig: string, labels: Record<string, string> = {}) {
  return registerHostCluster(db, TEST_CREDENTIALS_KEY, { name, kubeconfig, labels }, (kc) =>
    probeHostCluster(kc, { requestTimeoutMs: 3_000 }),
  );
}

export function testWorker(db: Db, databaseUrl: string, options: Partial<WorkerOptions> = {}): OperationWorker {
  return new OperationWorker(db, {
    adapters: createAdapterProvider(db, TEST_CREDENTIALS_KEY, { chart: testChart(), requestTimeoutMs: 3_000 }),
    databaseUrl,
    pollMs: 50,
    leaseMs: 5_000,
    backoffBaseMs: 50,
    backoffCapMs: 500,
    readyTimeoutMs: 15_000,
    statusPollMs: 50,
    ...options,
  });
}

export async function createOwnerAndProject(db: Db) {
  const owner = await createUser(db);
  const project = await createProject(db, [{ userId: owner.id, role: "OWNER" }]);
  return { owner, project };
}

export async function recordTestVCluster(
  db: Db,
  projectId: string,
  ownerId: string,
  name: string,
  overrides: { replicas?: number; idempotencyKey?: string; hostSelector?: Record<string, string> } = {},
) {
  return db.$transaction((tx) =>
    recordVCluster(
      tx,
      {
        name,
        namespace: `vc-${name}`,
        projectId,
        ownerId,
        kubernetesVersion: "1.31.1",
        cpuRequestMillis: 200,
        cpuLimitMillis: 1000,
        memoryRequestBytes: 256n << 20n,
        memoryLimitBytes: 1n << 30n,
        replicas: overrides.replicas ?? 1,
        enableHa: (overrides.replicas ?? 1) > 1,
        // as the spec's default: a StatefulSet whose SQLite lives on a volume claim
        enablePersistence: true,
        persistenceSizeBytes: 5n << 30n,
        spec: {},
      },
      { idempotencyKey: overrides.idempotencyKey, hostSelector: overrides.hostSelector },
    ),
  );
}

const FINAL: OperationState[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

/** Waits (bounded) for an operation to end; the bound only stops a hung test, it asserts nothing about speed. */
export async function waitForOperation(db: Db, id: string, limitMs = 60_000, pollMs = 50): Promise<Operation> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const op = await db.operation.findUniqueOrThrow({ where: { id } });
    if (FINAL.includes(op.state)) return op;
    if (Date.now() > deadline)
      throw new Error(`operation ${id} still ${op.state} (step ${op.step}, last error ${op.lastError})`);
    await delay(pollMs);
  }
}

export interface EngineEnvironment {
  t: TestDatabase;
  sim: HostSim & { dataDir: string };
  worker: OperationWorker;
  /** an admin client configuration for the simulated host */
  hostConfig: KubeConfig;
  stop(): Promise<void>;
}

/** A test database, a simulated host registered as `local`, and a running worker: what engine tests start from. */
export async function startEngineEnvironment(workerOptions: Partial<WorkerOptions> = {}): Promise<EngineEnvironment> {
  const t = await createTestDatabase();
  const sim = await startTestHost();
  await registerTestHost(t.db, "local", sim.kubeconfig);
  const worker = testWorker(t.db, t.url, workerOptions);
  await worker.start();
  const hostConfig = new KubeConfig();
  hostConfig.loadFromString(sim.kubeconfig);
  return {
    t,
    sim,
    worker,
    hostConfig,
    async stop() {
      await worker.stop();
      await sim.close();
      await t.close();
    },
  };
}
