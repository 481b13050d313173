import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { VClusterAdapter } from "@/server/adapters/vcluster/types";
import {
  createOwnerAndProject,
  recordTestVCluster,
  registerTestHost,
  startTestHost,
  TEST_CREDENTIALS_KEY,
  testWorker,
  waitForOperation,
} from "@/server/testing/engine-harness";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { createAdapterProvider } from "@/server/engine/placement/host-adapters";
import { requestOperation } from "@/server/engine/queue/operations";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";
import type { OperationWorker } from "@/server/engine/queue/worker";
import { testChart, testChartDir } from "@/server/testing/test-chart";

let t: TestDatabase;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await t.db.vCluster.deleteMany({});
  await t.db.operation.deleteMany({});
  await t.db.hostCluster.deleteMany({});
});
afterAll(async () => {
  await t?.close();
});

async function host(name: string, options: Parameters<typeof startTestHost>[0] = {}) {
  const sim = await startTestHost(options);
  cleanups.push(() => sim.close());
  const registered = await registerTestHost(t.db, name, sim.kubeconfig, { name });
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  return { sim, registered, apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api) };
}

async function started(worker: OperationWorker): Promise<OperationWorker> {
  await worker.start();
  cleanups.push(() => worker.stop());
  return worker;
}

function spawnWorker(): ChildProcess {
  // Node itself, with tsx as a loader: the tsx CLI would run the worker in a grandchild that SIGKILL does not reach.
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/composition/worker-main.ts")], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      HOST_CREDENTIALS_KEY: TEST_CREDENTIALS_KEY,
      NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
      ENGINE_LEASE_MS: "1500",
      VCLUSTER_CHART: testChartDir(),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    }
  });
  return child;
}

async function waitForStep(operationId: string, step: RegExp): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const op = await t.db.operation.findUniqueOrThrow({ where: { id: operationId } });
    if (op.step && step.test(op.step)) return;
    if (op.state === "SUCCEEDED" || op.state === "FAILED")
      throw new Error(`operation ended (${op.state}) before step ${step}`);
    if (Date.now() > deadline) throw new Error(`operation never reached step ${step} (at ${op.step})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
}

/** Records every install per vcluster name, start and end, to prove no two ran at once. */
function countingProvider(
  inner: AdapterProvider,
  installs: Map<string, { start: number; end: number }[]>,
): AdapterProvider {
  return {
    async forHost(id) {
      const adapter = await inner.forHost(id);
      const counted: VClusterAdapter = {
        probe: () => adapter.probe(),
        status: (target) => adapter.status(target),
        kubeconfig: (target) => adapter.kubeconfig(target),
        chart: adapter.chart,
        install: async (target, spec, chartVersion) => {
          const run = { start: performance.now(), end: Number.POSITIVE_INFINITY };
          installs.set(target.name, [...(installs.get(target.name) ?? []), run]);
          try {
            return await adapter.install(target, spec, chartVersion);
          } finally {
            run.end = performance.now();
          }
        },
        upgrade: (target, spec, chartVersion) => adapter.upgrade(target, spec, chartVersion),
        suspend: (target, replicas) => adapter.suspend(target, replicas),
        withVirtualApi: (target, fn) => adapter.withVirtualApi(target, fn),
        checkVirtualApi: (target) => adapter.checkVirtualApi(target),
        openVirtualApi: (target) => adapter.openVirtualApi(target),
        resume: (target) => adapter.resume(target),
        uninstall: (target) => adapter.uninstall(target),
      };
      return counted;
    },
  };
}

describe("engine reliability", () => {
  it("finishes a create whose worker was SIGKILLed mid-way, without duplicating anything", async () => {
    const { apps, core } = await host("crash", { podReadyDelayMs: 2_000 });
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "crash-create");
    const child = spawnWorker();
    await waitForStep(operation.id, /waiting for the control plane/);
    await kill(child);

    // the short lease is the killed worker's, so the takeover comes soon; the survivor's own is the default
    await started(testWorker(t.db, t.url));
    const done = await waitForOperation(t.db, operation.id);
    expect(done, String(done.lastError)).toMatchObject({ state: "SUCCEEDED", attempts: 1, takeovers: 1 });
    expect((await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).phase).toBe("RUNNING");
    const sets = await apps.listNamespacedStatefulSet({
      namespace: "vc-crash-create",
      labelSelector: "app=vcluster,release=crash-create",
    });
    expect(sets.items).toHaveLength(1);
    const pods = await core.listNamespacedPod({
      namespace: "vc-crash-create",
      labelSelector: "app=vcluster,release=crash-create",
    });
    expect(pods.items).toHaveLength(1);
    expect(
      (await core.listNamespace({ labelSelector: `open-vcluster.io/vcluster-id=${vcluster.id}` })).items,
    ).toHaveLength(1);
  });

  it("finishes a resume whose worker was SIGKILLed mid-way", async () => {
    const { apps } = await host("crash2", { podReadyDelayMs: 1_500 });
    const { owner, project } = await createOwnerAndProject(t.db);
    const inProcess = await started(testWorker(t.db, t.url));
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "crash-resume", {
      replicas: 2,
    });
    await waitForOperation(t.db, operation.id);
    const suspend = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: vcluster.id, kind: "SUSPEND" }));
    expect((await waitForOperation(t.db, suspend.operation.id)).state).toBe("SUCCEEDED");
    await inProcess.stop();

    const resume = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: vcluster.id, kind: "RESUME" }));
    const child = spawnWorker();
    await waitForStep(resume.operation.id, /resuming/);
    await new Promise((r) => setTimeout(r, 300));
    await kill(child);
    await started(testWorker(t.db, t.url));
    expect(await waitForOperation(t.db, resume.operation.id)).toMatchObject({
      state: "SUCCEEDED",
      attempts: 1,
      takeovers: 1,
    });
    // two replicas are highly available: a Deployment on deployed etcd
    const plane = await apps.readNamespacedDeployment({ name: "crash-resume", namespace: "vc-crash-resume" });
    expect(plane.spec?.replicas).toBe(2);
    expect(plane.status?.readyReplicas).toBe(2);
    expect(plane.metadata?.annotations?.["loft.sh/paused"]).toBeUndefined();
    expect(await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).toMatchObject({
      phase: "RUNNING",
      readyReplicas: 2,
    });
  });

  it("two workers on one database run each operation exactly once", async () => {
    await host("shared");
    const { owner, project } = await createOwnerAndProject(t.db);
    const installs = new Map<string, { start: number; end: number }[]>();
    const provider = countingProvider(
      createAdapterProvider(t.db, TEST_CREDENTIALS_KEY, { chart: testChart(), requestTimeoutMs: 10_000 }),
      installs,
    );
    // a helm install per vcluster on 2 cores: the ready deadline is generous so that no attempt times out and retries
    await started(testWorker(t.db, t.url, { adapters: provider, id: "worker-a", readyTimeoutMs: 180_000 }));
    await started(testWorker(t.db, t.url, { adapters: provider, id: "worker-b", readyTimeoutMs: 180_000 }));
    const ops = [];
    for (let i = 0; i < 8; i++)
      ops.push((await recordTestVCluster(t.db, project.id, owner.id, `shared-${i}`)).operation);
    const done = await Promise.all(ops.map((op) => waitForOperation(t.db, op.id, 240_000)));
    expect(done.map((op) => `${op.state}${op.state === "SUCCEEDED" ? "" : ` ${op.lastError}`}`)).toEqual(
      Array(8).fill("SUCCEEDED"),
    );
    // A slow host may make an attempt fail and retry (each retry is a claim of its own), but no claim runs twice and
    // no two workers run one operation at the same time.
    for (const [index, op] of done.entries()) {
      const runs = installs.get(`shared-${index}`) ?? [];
      expect(runs.length, `installs of shared-${index}`).toBeGreaterThanOrEqual(1);
      expect(runs.length, `installs of shared-${index} (${op.attempts} attempts)`).toBeLessThanOrEqual(op.attempts);
      for (let i = 1; i < runs.length; i++)
        expect(
          runs[i].start,
          `install ${i} of shared-${index} began before the one before it ended`,
        ).toBeGreaterThanOrEqual(runs[i - 1].end);
    }
  }, 300_000);

  it("converges or fails with a reason under 30 % host errors, and ERROR recovers to RUNNING", async () => {
    const { sim } = await host("flaky");
    const { owner, project } = await createOwnerAndProject(t.db);
    await started(testWorker(t.db, t.url, { backoffBaseMs: 20, backoffCapMs: 200 }));
    sim.setFaults({ seed: 7, errors: [{ rate: 0.3, status: 503 }] });
    const ops = [];
    for (let i = 0; i < 4; i++)
      ops.push((await recordTestVCluster(t.db, project.id, owner.id, `flaky-${i}`)).operation);
    // helm's client-go waits out each 503's Retry-After, so installs take longer under these faults
    const done = await Promise.all(ops.map((op) => waitForOperation(t.db, op.id, 180_000)));
    for (const op of done) {
      const vcluster = await t.db.vCluster.findUniqueOrThrow({ where: { id: op.vclusterId ?? "" } });
      if (op.state === "SUCCEEDED") expect(vcluster.phase).toBe("RUNNING");
      else
        expect(vcluster).toMatchObject({
          phase: "ERROR",
          reason: "CreateFailed",
          message: expect.stringMatching(/.+/),
        });
    }
    // the faults were met (steps retry transient host errors inside themselves, so operations need not retry)
    expect(sim.faultsInjected()).toBeGreaterThan(0);

    sim.setFaults({});
    const failed = await t.db.vCluster.findMany({ where: { projectId: project.id, phase: "ERROR" } });
    for (const vcluster of failed) {
      const recover = await t.db.$transaction((tx) =>
        requestOperation(tx, { vclusterId: vcluster.id, kind: "RECOVER" }),
      );
      expect((await waitForOperation(t.db, recover.operation.id, 120_000)).state).toBe("SUCCEEDED");
    }
    expect(await t.db.vCluster.count({ where: { projectId: project.id, phase: { not: "RUNNING" } } })).toBe(0);
  }, 240_000);

  it("an unreachable second host does not hold up operations on the first", async () => {
    await host("healthy");
    const { sim: broken } = await host("broken");
    const { owner, project } = await createOwnerAndProject(t.db);
    await started(testWorker(t.db, t.url, { concurrency: 4, readyTimeoutMs: 60_000 }));
    broken.setFaults({ unresponsive: "hang" });
    const stuck = await Promise.all(
      [0, 1, 2].map((i) =>
        recordTestVCluster(t.db, project.id, owner.id, `stuck-${i}`, { hostSelector: { name: "broken" } }),
      ),
    );
    const fine = await Promise.all(
      [0, 1, 2].map((i) =>
        recordTestVCluster(t.db, project.id, owner.id, `fine-${i}`, { hostSelector: { name: "healthy" } }),
      ),
    );
    const done = await Promise.all(fine.map((r) => waitForOperation(t.db, r.operation.id)));
    expect(done.map((op) => op.state)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    const others = await t.db.operation.findMany({ where: { id: { in: stuck.map((s) => s.operation.id) } } });
    expect(others.every((op) => op.state !== "SUCCEEDED")).toBe(true);
  });
});
