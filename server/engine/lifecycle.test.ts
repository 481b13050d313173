import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSim } from "@/hostsim";
import { createVClusterAdapter } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import { AppError } from "@/server/errors";
import { createOwnerAndProject, recordTestVCluster, startEngineEnvironment, waitForOperation, type EngineEnvironment } from "@/server/testing/engine-harness";
import type { TestDatabase } from "@/server/testing/test-database";
import { requestOperation } from "./operations";
import { requestChange } from "./request-change";

let env: EngineEnvironment;
let t: TestDatabase;
let sim: HostSim;
let apps: AppsV1Api;
let core: CoreV1Api;

beforeAll(async () => {
  env = await startEngineEnvironment();
  ({ t, sim } = env);
  apps = env.hostConfig.makeApiClient(AppsV1Api);
  core = env.hostConfig.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await env?.stop();
});

const controlPlane = (name: string) => apps.readNamespacedStatefulSet({ name, namespace: `vc-${name}` });

describe("a vcluster's whole life on the host", () => {
  it("create → scale → update → suspend → resume → delete", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "life");
    expect(vcluster.phase).toBe("PENDING");

    // create
    expect((await waitForOperation(t.db, operation.id)).state).toBe("SUCCEEDED");
    let row = await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } });
    expect(row).toMatchObject({ phase: "RUNNING", readyReplicas: 1 });
    expect(row.apiServerEndpoint).toContain("/vc/vc-life/life");
    const ns = await core.readNamespace({ name: "vc-life" });
    expect(ns.metadata?.labels).toMatchObject({ "open-vcluster.io/vcluster-id": vcluster.id, "open-vcluster.io/project": project.id });
    let sts = await controlPlane("life");
    expect(sts.metadata?.labels).toMatchObject({ app: "vcluster", release: "life" });
    expect(sts.spec?.replicas).toBe(1);

    // scale
    const scale = await t.db.$transaction((tx) => requestChange(tx, { vclusterId: vcluster.id, kind: "SCALE" }, { replicas: 3 }));
    expect((await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).phase).toBe("SCALING");
    expect((await waitForOperation(t.db, scale.operation.id)).state).toBe("SUCCEEDED");
    row = await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } });
    expect(row).toMatchObject({ phase: "RUNNING", readyReplicas: 3 });
    expect((await controlPlane("life")).status?.readyReplicas).toBe(3);

    // update: a new Kubernetes version rolls out
    const update = await t.db.$transaction((tx) => requestChange(tx, { vclusterId: vcluster.id, kind: "UPDATE" }, { kubernetesVersion: "1.32.2" }));
    expect((await waitForOperation(t.db, update.operation.id)).state).toBe("SUCCEEDED");
    sts = await controlPlane("life");
    expect(JSON.stringify(sts.spec?.template.spec?.containers.map((c) => c.image))).toContain("v1.32.2");

    // suspend, as vcluster pause does
    const suspend = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: vcluster.id, kind: "SUSPEND" }));
    expect((await waitForOperation(t.db, suspend.operation.id)).state).toBe("SUCCEEDED");
    row = await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } });
    expect(row).toMatchObject({ phase: "SUSPENDED", readyReplicas: 0 });
    sts = await controlPlane("life");
    expect(sts.spec?.replicas).toBe(0);
    expect(sts.metadata?.annotations).toMatchObject({ "loft.sh/paused": "true", "loft.sh/paused-replicas": "3" });
    expect(Number(sts.metadata?.annotations?.["loft.sh/paused-date"])).toBeGreaterThan(1_700_000_000);

    // resume
    const resume = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: vcluster.id, kind: "RESUME" }));
    expect((await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).phase).toBe("RESUMING");
    expect((await waitForOperation(t.db, resume.operation.id)).state).toBe("SUCCEEDED");
    sts = await controlPlane("life");
    expect(sts.spec?.replicas).toBe(3);
    expect(sts.metadata?.annotations?.["loft.sh/paused"]).toBeUndefined();
    expect((await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).phase).toBe("RUNNING");

    // delete: the namespace and everything in it is gone, the vcluster row too, the history stays
    const del = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: vcluster.id, kind: "DELETE" }));
    expect((await waitForOperation(t.db, del.operation.id)).state).toBe("SUCCEEDED");
    expect(await t.db.vCluster.findUnique({ where: { id: vcluster.id } })).toBeNull();
    await expect(core.readNamespace({ name: "vc-life" })).rejects.toMatchObject({ code: 404 });
    const history = await t.db.operation.findMany({ where: { vclusterName: "life", projectId: project.id }, orderBy: { createdAt: "asc" } });
    expect(history.map((o) => o.kind)).toEqual(["CREATE", "SCALE", "UPDATE", "SUSPEND", "RESUME", "DELETE"]);
    expect(history.every((o) => o.state === "SUCCEEDED" && o.vclusterId === null)).toBe(true);
  });

  it("refuses a transition the table does not allow, naming the phase, and writes nothing", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "refuse");
    await waitForOperation(t.db, operation.id);
    const error = await t.db
      .$transaction((tx) => requestChange(tx, { vclusterId: vcluster.id, kind: "RESUME" }, { replicas: 2 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("PRECONDITION_FAILED");
    expect((error as AppError).message).toBe("cannot resume a vcluster in phase RUNNING; allowed now: scale, update, suspend, snapshot, restore, delete");
    const row = await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } });
    expect(row).toMatchObject({ phase: "RUNNING", replicas: 1 });
    expect(await t.db.operation.count({ where: { vclusterId: vcluster.id } })).toBe(1);
  });

  it("returns the first operation for a repeated idempotency key, and refuses a second operation while one runs", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const first = await recordTestVCluster(t.db, project.id, owner.id, "idem", { idempotencyKey: "create-idem-1" });
    const again = await recordTestVCluster(t.db, project.id, owner.id, "idem", { idempotencyKey: "create-idem-1" });
    expect(again).toMatchObject({ replayed: true, operation: { id: first.operation.id } });
    const busy = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: first.vcluster.id, kind: "DELETE" })).catch((e: unknown) => e);
    expect((busy as AppError).code).toMatch(/CONFLICT|PRECONDITION_FAILED/);
    await waitForOperation(t.db, first.operation.id);
    expect(await t.db.vCluster.count({ where: { projectId: project.id } })).toBe(1);
  });

  it("refuses a create that fits no host, saying why, and records nothing", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const error = await recordTestVCluster(t.db, project.id, owner.id, "nowhere", { hostSelector: { region: "mars" } }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe("PRECONDITION_FAILED");
    expect((error as AppError).message).toBe("no host cluster has room: local: label region=mars not set");
    expect(await t.db.vCluster.count({ where: { projectId: project.id } })).toBe(0);
  });

  it("recovers an ERROR vcluster to RUNNING", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "recover");
    await waitForOperation(t.db, operation.id);
    // Someone deletes the control plane behind the portal's back and the cluster was marked failed.
    await createVClusterAdapter({ kubeconfig: sim.kubeconfig }).scale({ vclusterId: vcluster.id, projectId: project.id, name: "recover", namespace: "vc-recover" }, 0);
    await t.db.vCluster.update({ where: { id: vcluster.id }, data: { phase: "ERROR", reason: "UpdateFailed", message: "test" } });
    const recover = await t.db.$transaction((tx) => requestOperation(tx, { vclusterId: vcluster.id, kind: "RECOVER" }));
    expect((await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).phase).toBe("ERROR");
    expect((await waitForOperation(t.db, recover.operation.id)).state).toBe("SUCCEEDED");
    expect(await t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } })).toMatchObject({ phase: "RUNNING", readyReplicas: 1, reason: null });
    expect((await controlPlane("recover")).spec?.replicas).toBe(1);
  });
});
