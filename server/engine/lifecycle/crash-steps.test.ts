/**
 * A worker killed (SIGKILL) at each step of each kind of operation, by a hook at that step rather than by timing:
 * the survivor continues from what the host and the database hold, the operation succeeds on its first attempt
 * (a takeover is no failure), and the host holds exactly what it should.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationKind, Prisma, VCluster } from "@/server/generated/prisma/client";
import { reserveSnapshot } from "@/server/services/snapshots/request-snapshot";
import { controlPlaneSelector } from "@/server/adapters/vcluster/labels";
import {
  createOwnerAndProject,
  recordTestVCluster,
  TEST_CREDENTIALS_KEY,
  testWorker,
  waitForOperation,
} from "@/server/testing/engine-harness";
import { startSnapshotEnvironment, type SnapshotEnvironment } from "@/server/testing/snapshot-environment";
import { testChartDir } from "@/server/testing/test-chart";
import { snapshotPrefix } from "@/server/engine/snapshots/snapshot-steps";
import { requestOperation } from "@/server/engine/queue/operations";
import { requestChange } from "@/server/engine/queue/request-change";
import { COMPLETING_STEP } from "@/server/engine/queue/worker";

let env: SnapshotEnvironment;
let apps: AppsV1Api;
let core: CoreV1Api;

beforeAll(async () => {
  env = await startSnapshotEnvironment();
  // every operation here is run by a worker that dies, then by a survivor started after it
  await env.worker.stop();
  const kc = new KubeConfig();
  kc.loadFromString(env.sim.kubeconfig);
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await env?.stop();
});

/** Runs the requested operation in a worker that kills itself at `step`, then lets a survivor finish it. */
async function crashAt(kind: OperationKind, step: string, request: () => Promise<{ id: string }>) {
  const operation = await request();
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/testing/crashing-worker.ts")], {
    env: {
      ...process.env,
      DATABASE_URL: env.t.url,
      HOST_CREDENTIALS_KEY: TEST_CREDENTIALS_KEY,
      VCLUSTER_CHART: testChartDir(),
      CRASH_AT: `${kind}:${step}`,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  const signal = await Promise.race([
    exited,
    waitForOperation(env.t.db, operation.id, 120_000).then((op) => `ended ${op.state} without reaching ${step}`),
  ]);
  if (signal !== "SIGKILL") {
    child.kill("SIGKILL");
    throw new Error(`${kind} at ${step}: the crashing worker did not die there (${String(signal)})`);
  }
  const survivor = testWorker(env.t.db, env.t.url, { objectStore: () => env.store, readyTimeoutMs: 60_000 });
  await survivor.start();
  try {
    const done = await waitForOperation(env.t.db, operation.id, 120_000);
    expect(
      done,
      `${kind} crashed at ${step}: ${done.state} after ${done.attempts} attempts and ${done.takeovers} takeovers (${done.lastError})`,
    ).toMatchObject({
      state: "SUCCEEDED",
      attempts: 1,
      takeovers: 1,
    });
  } finally {
    await survivor.stop();
  }
}

const op = (vcluster: VCluster, kind: OperationKind, params?: Prisma.InputJsonValue) => () =>
  env.t.db.$transaction(
    async (tx) => (await requestOperation(tx, { vclusterId: vcluster.id, kind, params })).operation,
  );

async function snapshotOp(vcluster: VCluster, kind: "SNAPSHOT" | "SUSPEND", name: string) {
  return env.t.db.$transaction(async (tx) => {
    const snapshot = await reserveSnapshot(tx, vcluster, name, null);
    const params = kind === "SNAPSHOT" ? { snapshotId: snapshot.id } : { snapshotFirst: true, snapshotId: snapshot.id };
    return (await requestOperation(tx, { vclusterId: vcluster.id, kind, params })).operation;
  });
}

/** exactly one control plane (highly available: a Deployment), its pods as many as asked, one namespace */
async function expectExactlyOnce(vcluster: VCluster, pods: number) {
  const namespace = `vc-${vcluster.name}`;
  const selector = controlPlaneSelector(vcluster.name);
  expect((await apps.listNamespacedDeployment({ namespace, labelSelector: selector })).items).toHaveLength(1);
  expect((await apps.listNamespacedStatefulSet({ namespace, labelSelector: selector })).items).toHaveLength(0);
  expect((await core.listNamespacedPod({ namespace, labelSelector: selector })).items).toHaveLength(pods);
  expect(
    (await core.listNamespace({ labelSelector: `open-vcluster.io/vcluster-id=${vcluster.id}` })).items,
  ).toHaveLength(1);
}

async function expectOneReadySnapshot(vcluster: VCluster, name: string) {
  const snapshot = await env.t.db.snapshot.findFirstOrThrow({ where: { vclusterId: vcluster.id, name } });
  expect(snapshot.status).toBe("READY");
  expect((await env.store.list(snapshotPrefix(snapshot))).map((o) => o.key.split("/").pop()).sort()).toEqual([
    "manifest.json",
    "objects.ndjson.gz",
  ]);
  return snapshot;
}

/** Where each kind of operation can be killed: every step it records, then just before its success is written. */
const PASSES: { name: string; at: (steps: string[]) => string }[] = [
  { name: "its first step", at: (steps) => steps[0] },
  { name: "its last step", at: (steps) => steps[steps.length - 1] },
  { name: "the moment before it is recorded as done", at: () => COMPLETING_STEP },
];

describe("a worker killed at a known step", () => {
  it.each(PASSES)(
    "at $name of every kind of operation, the survivor converges with exact host objects",
    async ({ name, at }) => {
      const { owner, project } = await createOwnerAndProject(env.t.db);
      const vname = `crash-${PASSES.findIndex((p) => p.name === name)}`;
      const recorded = await recordTestVCluster(env.t.db, project.id, owner.id, vname, { replicas: 2 });
      const created = recorded.vcluster;
      await crashAt("CREATE", at(["installing", "waiting for the control plane"]), async () => recorded.operation);
      const fresh = () => env.t.db.vCluster.findUniqueOrThrow({ where: { id: created.id } });
      expect((await fresh()).phase).toBe("RUNNING");
      await expectExactlyOnce(created, 2);

      await crashAt("SCALE", at(["scaling to 3"]), () =>
        env.t.db.$transaction(
          async (tx) => (await requestChange(tx, { vclusterId: created.id, kind: "SCALE" }, { replicas: 3 })).operation,
        ),
      );
      expect(await fresh()).toMatchObject({ phase: "RUNNING", replicas: 3, readyReplicas: 3 });
      await expectExactlyOnce(created, 3);

      await crashAt("UPDATE", at(["rolling out"]), op(await fresh(), "UPDATE"));
      await expectExactlyOnce(created, 3);

      await crashAt("SNAPSHOT", at(["exporting objects"]), () => snapshotOp(created, "SNAPSHOT", "before-suspend"));
      const first = await expectOneReadySnapshot(created, "before-suspend");

      await crashAt("SUSPEND", at(["exporting objects", "pausing"]), () =>
        snapshotOp(created, "SUSPEND", "at-suspend"),
      );
      expect((await fresh()).phase).toBe("SUSPENDED");
      await expectOneReadySnapshot(created, "at-suspend");
      await expectExactlyOnce(created, 0);

      await crashAt("RESUME", at(["resuming"]), op(await fresh(), "RESUME"));
      expect(await fresh()).toMatchObject({ phase: "RUNNING", readyReplicas: 3 });
      await expectExactlyOnce(created, 3);

      await crashAt("RESTORE", at(["applying objects"]), op(await fresh(), "RESTORE", { snapshotId: first.id }));
      expect((await fresh()).phase).toBe("RUNNING");

      // an ERROR the portal recorded (a failed operation's), from which recover is the way back
      await env.t.db.vCluster.update({ where: { id: created.id }, data: { phase: "ERROR", reason: "UpdateFailed" } });
      await crashAt("RECOVER", at(["reapplying the desired state"]), op(await fresh(), "RECOVER"));
      expect((await fresh()).phase).toBe("RUNNING");
      await expectExactlyOnce(created, 3);

      await crashAt("DELETE", at(["uninstalling"]), op(await fresh(), "DELETE"));
      expect(await env.t.db.vCluster.count({ where: { id: created.id } })).toBe(0);
      expect(
        (await core.listNamespace({ labelSelector: `open-vcluster.io/vcluster-id=${created.id}` })).items,
      ).toHaveLength(0);
    },
    600_000,
  );
});
