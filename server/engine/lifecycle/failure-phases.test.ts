/**
 * Operations that fail, or fail once and retry, end where the user can act: a retried suspend continues from what
 * the host and the database hold, and whatever ran out of attempts leaves a phase the state machine offers a way
 * out of.
 */
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { reserveSnapshot } from "@/server/services/snapshots/request-snapshot";
import { createOwnerAndProject, recordTestVCluster, waitForOperation } from "@/server/testing/engine-harness";
import { startSnapshotEnvironment, type SnapshotEnvironment } from "@/server/testing/snapshot-environment";
import { requestOperation } from "@/server/engine/queue/operations";
import { allowedActions } from "@/server/universal/state-machine";

let env: SnapshotEnvironment;
let core: CoreV1Api;

beforeAll(async () => {
  env = await startSnapshotEnvironment();
  const kc = new KubeConfig();
  kc.loadFromString(env.sim.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});
afterEach(() => env.sim.setFaults({}));
afterAll(async () => {
  await env?.stop();
});

async function runningCluster(name: string) {
  const { owner, project } = await createOwnerAndProject(env.t.db);
  const { vcluster, operation } = await recordTestVCluster(env.t.db, project.id, owner.id, name);
  expect((await waitForOperation(env.t.db, operation.id)).state).toBe("SUCCEEDED");
  return vcluster;
}

async function suspendWithSnapshot(vclusterId: string, maxAttempts?: number) {
  return env.t.db.$transaction(async (tx) => {
    const vcluster = await tx.vCluster.findUniqueOrThrow({ where: { id: vclusterId } });
    const snapshot = await reserveSnapshot(tx, vcluster, `at-suspend-${Date.now()}`, null);
    const { operation } = await requestOperation(tx, {
      vclusterId,
      kind: "SUSPEND",
      params: { snapshotFirst: true, snapshotId: snapshot.id },
      maxAttempts,
    });
    return { operation, snapshot };
  });
}

/** Waits until an attempt of the operation failed and its retry is queued. */
async function firstFailure(operationId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const op = await env.t.db.operation.findUniqueOrThrow({ where: { id: operationId } });
    if (op.lastError) return op.lastError;
    if (op.state === "SUCCEEDED" || op.state === "FAILED")
      throw new Error(`operation ended ${op.state} without a failed attempt`);
    if (Date.now() > deadline) throw new Error("no attempt failed");
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The last call of a suspend, the deletion of the synced workload pods, fails after the control plane was paused.
const podCleanupFails = {
  errors: [{ cluster: "host", verb: "deletecollection", resource: "pods", rate: 1, status: 500 as const }],
};

describe("failures end where the user can act", () => {
  it("a suspend with snapshot that failed after pausing succeeds on its retry, without exporting again", async () => {
    const vcluster = await runningCluster("retry-suspend");
    env.sim.setFaults(podCleanupFails);
    const { operation, snapshot } = await suspendWithSnapshot(vcluster.id);
    expect(await firstFailure(operation.id)).toMatch(/pods/);
    // the snapshot was committed before the pause, so the retry does not need a running control plane for it
    const taken = await env.t.db.snapshot.findUniqueOrThrow({ where: { id: snapshot.id } });
    expect(taken.status).toBe("READY");
    env.sim.setFaults({});
    expect(await waitForOperation(env.t.db, operation.id)).toMatchObject({ state: "SUCCEEDED", attempts: 2 });
    expect(await env.t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).toMatchObject({
      phase: "SUSPENDED",
      lastSnapshotId: snapshot.id,
    });
    expect(await env.t.db.snapshot.findUniqueOrThrow({ where: { id: snapshot.id } })).toMatchObject({
      status: "READY",
      checksum: taken.checksum,
      completedAt: taken.completedAt,
    });
  });

  it("a suspend that ran out of attempts after pausing is ERROR, not RUNNING, and recover brings it back", async () => {
    const vcluster = await runningCluster("failed-suspend");
    env.sim.setFaults(podCleanupFails);
    const { operation } = await suspendWithSnapshot(vcluster.id, 1);
    expect((await waitForOperation(env.t.db, operation.id)).state).toBe("FAILED");
    const failed = await env.t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } });
    expect(failed).toMatchObject({ phase: "ERROR", reason: "SuspendFailed" });
    expect(allowedActions(failed.phase)).toEqual(["forceDelete", "recover"]);
    env.sim.setFaults({});
    const recover = await env.t.db.$transaction((tx) =>
      requestOperation(tx, { vclusterId: vcluster.id, kind: "RECOVER" }),
    );
    expect((await waitForOperation(env.t.db, recover.operation.id)).state).toBe("SUCCEEDED");
    expect(await env.t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).toMatchObject({
      phase: "RUNNING",
      readyReplicas: 1,
    });
  });

  it("a delete that ran out of attempts is ERROR; force delete then lets go, frees the quota and says what may remain", async () => {
    const vcluster = await runningCluster("stubborn");
    env.sim.setFaults({ errors: [{ cluster: "host", verb: "delete", resource: "namespaces", rate: 1, status: 500 }] });
    const del = await env.t.db.$transaction((tx) =>
      requestOperation(tx, { vclusterId: vcluster.id, kind: "DELETE", maxAttempts: 2 }),
    );
    expect(await waitForOperation(env.t.db, del.operation.id, 120_000)).toMatchObject({ state: "FAILED", attempts: 2 });
    const failed = await env.t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } });
    expect(failed).toMatchObject({ phase: "ERROR", reason: "DeleteFailed" });
    expect(allowedActions(failed.phase)).toContain("forceDelete");

    const force = await env.t.db.$transaction((tx) =>
      requestOperation(tx, { vclusterId: vcluster.id, kind: "FORCE_DELETE" }),
    );
    const done = await waitForOperation(env.t.db, force.operation.id, 120_000);
    expect(done).toMatchObject({
      state: "SUCCEEDED",
      attempts: 3,
      result: { leftOnHost: expect.stringMatching(/^namespace vc-stubborn may remain on the host: clean-up failed/) },
    });
    expect(await env.t.db.vCluster.count({ where: { id: vcluster.id } })).toBe(0);
    env.sim.setFaults({});
    // what the portal let go of is still there, as the result says
    expect(
      (await core.listNamespace({ labelSelector: `open-vcluster.io/vcluster-id=${vcluster.id}` })).items,
    ).toHaveLength(1);
  });
});
