import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergePatch } from "@/server/adapters/kubernetes/host-client";
import { AppError } from "@/server/universal/errors";
import {
  createOwnerAndProject,
  recordTestVCluster,
  startEngineEnvironment,
  waitForOperation,
  type EngineEnvironment,
} from "@/server/testing/engine-harness";
import type { TestDatabase } from "@/server/testing/test-database";
import { requestOperation } from "@/server/engine/queue/operations";
import { requestChange } from "@/server/engine/queue/request-change";

let env: EngineEnvironment;
let t: TestDatabase;
let apps: AppsV1Api;

beforeAll(async () => {
  env = await startEngineEnvironment();
  ({ t } = env);
  apps = env.hostConfig.makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await env?.stop();
});

/** with persistence, the recorded default, the chart makes a StatefulSet */
const controlPlane = (name: string) => apps.readNamespacedStatefulSet({ name, namespace: `vc-${name}` });

describe("operations on the host", () => {
  it("refuses a transition the table does not allow, naming the phase, and writes nothing", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "refuse");
    await waitForOperation(t.db, operation.id);
    const error = await t.db
      .$transaction((tx) => requestChange(tx, { vclusterId: vcluster.id, kind: "RESUME" }, { replicas: 2 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("PRECONDITION_FAILED");
    expect((error as AppError).message).toBe(
      "cannot resume a vcluster in phase RUNNING; allowed now: scale, update, suspend, snapshot, restore, delete",
    );
    const row = await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } });
    expect(row).toMatchObject({ phase: "RUNNING", replicas: 1 });
    expect(await t.db.operation.count({ where: { vclusterId: vcluster.id } })).toBe(1);
  });

  it("returns the first operation for a repeated idempotency key, and refuses a second operation while one runs", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const first = await recordTestVCluster(t.db, project.id, owner.id, "idem", { idempotencyKey: "create-idem-1" });
    const again = await recordTestVCluster(t.db, project.id, owner.id, "idem", { idempotencyKey: "create-idem-1" });
    expect(again).toMatchObject({ replayed: true, operation: { id: first.operation.id } });
    const busy = await t.db
      .$transaction((tx) => requestOperation(tx, { vclusterId: first.vcluster.id, kind: "DELETE" }))
      .catch((e: unknown) => e);
    expect((busy as AppError).code).toMatch(/CONFLICT|PRECONDITION_FAILED/);
    await waitForOperation(t.db, first.operation.id);
    expect(await t.db.vCluster.count({ where: { projectId: project.id } })).toBe(1);
  });

  it("refuses a create that fits no host, saying why, and records nothing", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const error = await recordTestVCluster(t.db, project.id, owner.id, "nowhere", {
      hostSelector: { region: "mars" },
    }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe("PRECONDITION_FAILED");
    expect((error as AppError).message).toBe("no host cluster has room: local: label region=mars not set");
    expect(await t.db.vCluster.count({ where: { projectId: project.id } })).toBe(0);
  });

  it("recovers an ERROR vcluster to RUNNING", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "recover");
    await waitForOperation(t.db, operation.id);
    // Someone deletes the control plane behind the portal's back and the cluster was marked failed.
    await apps.patchNamespacedStatefulSet(
      { namespace: "vc-recover", name: "recover", body: { spec: { replicas: 0 } } },
      mergePatch,
    );
    await t.db.vCluster.update({
      where: { id: vcluster.id },
      data: { phase: "ERROR", reason: "UpdateFailed", message: "test" },
    });
    const recover = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: vcluster.id, kind: "RECOVER" }));
    expect((await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).phase).toBe("ERROR");
    expect((await waitForOperation(t.db, recover.operation.id)).state).toBe("SUCCEEDED");
    expect(await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).toMatchObject({
      phase: "RUNNING",
      readyReplicas: 1,
      reason: null,
    });
    expect((await controlPlane("recover")).spec?.replicas).toBe(1);
  });
});
