import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationWorker } from "@/server/engine/queue/worker";
import { callerFor } from "@/server/testing/caller";
import { startEngineEnvironment, waitForOperation, type EngineEnvironment } from "@/server/testing/engine-harness";
import { setPortalEnv } from "@/server/testing/portal-env";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import type { TestDatabase } from "@/server/testing/test-database";

let env: EngineEnvironment;
let t: TestDatabase;
let worker: OperationWorker;

beforeAll(async () => {
  env = await startEngineEnvironment();
  ({ t, worker } = env);
  setPortalEnv(t.url);
});
afterAll(async () => {
  await env?.stop();
});

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

async function team() {
  const owner = await createUser(t.db);
  const member = await createUser(t.db);
  const viewer = await createUser(t.db);
  const project = await createProject(t.db, [
    { userId: owner.id, role: "OWNER" },
    { userId: member.id, role: "MEMBER" },
    { userId: viewer.id, role: "VIEWER" },
  ]);
  await t.db.quota.create({
    data: {
      projectId: project.id,
      maxVClusters: 3,
      maxCpuMillis: 4000,
      maxMemoryBytes: 8n << 30n,
      maxStorageBytes: 100n << 30n,
      maxSnapshots: 5,
    },
  });
  return {
    owner,
    member,
    viewer,
    project,
    as: (u: { id: string; email: string; isPlatformAdmin: boolean }) => callerFor(t.db, actorOf(u)),
  };
}

describe("vcluster procedures", () => {
  it("create, get, list, scale, kubeconfig, suspend, resume, delete — with audit rows", async () => {
    const { member, viewer, project, as } = await team();
    const created = await as(member).vcluster.create({
      projectId: project.id,
      name: "svc-one",
      labels: { env: "dev" },
      spec: { kubernetesVersion: "1.31.1", enableHa: true, replicas: 3 },
    });
    expect(created.vcluster).toMatchObject({
      name: "svc-one",
      phase: "PENDING",
      hostClusterName: "local",
      labels: { env: "dev" },
    });
    expect((await waitForOperation(t.db, created.operationId)).state).toBe("SUCCEEDED");

    const detail = await as(viewer).vcluster.get({ id: created.vcluster.id });
    expect(detail).toMatchObject({
      phase: "RUNNING",
      readyReplicas: 3,
      allowedActions: ["scale", "update", "suspend", "snapshot", "restore", "delete"],
      hostError: null,
    });
    expect(detail.operations.map((o) => [o.kind, o.state])).toEqual([["CREATE", "SUCCEEDED"]]);

    const page = await as(viewer).vcluster.list({
      projectId: project.id,
      labelSelector: "env=dev",
      phases: ["RUNNING"],
    });
    expect(page.items.map((i) => i.name)).toEqual(["svc-one"]);
    expect((await as(viewer).vcluster.list({ projectId: project.id, labelSelector: "env!=dev" })).total).toBe(0);
    expect((await as(viewer).vcluster.list({ projectId: project.id, labelSelector: "env" })).total).toBe(1);
    expect((await as(viewer).vcluster.list({ projectId: project.id, search: "one" })).total).toBe(1);

    const scaled = await as(member).vcluster.scale({ id: created.vcluster.id, replicas: 2 });
    expect(scaled.vcluster.phase).toBe("SCALING");
    await waitForOperation(t.db, scaled.operationId);

    const kubeconfig = await as(member).vcluster.kubeconfig({ id: created.vcluster.id });
    expect(kubeconfig).toMatchObject({
      reachable: true,
      warning: null,
      server: `http://localhost:3000/kube/${created.vcluster.id}`,
      fileName: "svc-one.kubeconfig.yaml",
    });
    expect(kubeconfig.kubeconfig).toContain(`server: ${kubeconfig.server}`);
    expect(kubeconfig.kubeconfig).toContain(`token: ${kubeconfig.tokenPrefix}_`);
    // the same file on every download; everyone's own; VIEWERs get one too (RBAC inside makes it read-only)
    expect((await as(member).vcluster.kubeconfig({ id: created.vcluster.id })).kubeconfig).toBe(kubeconfig.kubeconfig);
    const viewers = await as(viewer).vcluster.kubeconfig({ id: created.vcluster.id });
    expect(viewers.tokenPrefix).not.toBe(kubeconfig.tokenPrefix);
    const rotated = await as(member).vcluster.rotateKubeconfig({ id: created.vcluster.id });
    expect(rotated.tokenPrefix).not.toBe(kubeconfig.tokenPrefix);
    expect((await as(member).vcluster.kubeAccess({ id: created.vcluster.id })).map((r) => r.prefix)).toEqual([
      rotated.tokenPrefix,
    ]);
    const stranger = await createUser(t.db);
    expect((await refusal(as(stranger).vcluster.kubeconfig({ id: created.vcluster.id }))).code).toBe("NOT_FOUND");

    await waitForOperation(t.db, (await as(member).vcluster.suspend({ id: created.vcluster.id })).operationId);
    expect((await as(viewer).vcluster.get({ id: created.vcluster.id })).phase).toBe("SUSPENDED");
    await waitForOperation(t.db, (await as(member).vcluster.resume({ id: created.vcluster.id })).operationId);

    const wrongName = await refusal(as(member).vcluster.delete({ id: created.vcluster.id, confirmName: "svc-two" }));
    expect(wrongName.code).toBe("BAD_REQUEST");
    expect(wrongName.message).toContain("confirmName");
    await waitForOperation(
      t.db,
      (await as(member).vcluster.delete({ id: created.vcluster.id, confirmName: "svc-one" })).operationId,
    );
    expect(await t.db.vCluster.findUnique({ where: { id: created.vcluster.id } })).toBeNull();

    const actions = await t.db.auditLog.findMany({
      where: { targetId: created.vcluster.id },
      orderBy: { seq: "asc" },
      select: { action: true, result: true, actorId: true },
    });
    expect(actions.map((a) => `${a.action}:${a.result}`)).toEqual([
      "vcluster.create:SUCCESS",
      "vcluster.scale:SUCCESS",
      "vcluster.kubeconfig_download:SUCCESS",
      "vcluster.kubeconfig_download:SUCCESS",
      "vcluster.kubeconfig_download:SUCCESS",
      "vcluster.kubeconfig_rotate:SUCCESS",
      "vcluster.kubeconfig_download:REFUSED",
      "vcluster.suspend:SUCCESS",
      "vcluster.resume:SUCCESS",
      "vcluster.delete:REFUSED",
      "vcluster.delete:SUCCESS",
    ]);
  });

  it("refuses bad specs naming the field and the rule, and writes nothing", async () => {
    const { member, project, as } = await team();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "Bad_Name" }, "name must be lower-case"],
      [{ name: "x".repeat(53) }, "at most 52 characters"],
      [{ spec: { kubernetesVersion: "1.20.0" } }, "kubernetesVersion must be one of"],
      [{ spec: { resources: { cpuRequest: "2", cpuLimit: "1" } } }, "CPU request must not exceed the CPU limit"],
      [{ spec: { resources: { memoryLimit: "lots" } } }, "memory limit must be a positive Kubernetes quantity"],
      [{ spec: { replicas: 6 } }, "replicas may be at most 5"],
      [{ spec: { enableHa: true, replicas: 1 } }, "high availability runs 2 to 5 control plane replicas"],
      [{ spec: { network: { podCidr: "10.0.0.0/8" } } }, "podCidr cannot be set: pods use the host's pod network"],
      [{ spec: { network: { podCidr: "10.0.0.1/8" } } }, "podCidr must be an IPv4 CIDR"],
      [{ spec: { helmValues: "sleep:\n  auto: true\n" } }, "key sleep needs a paid vCluster licence"],
      [
        { spec: { helmValues: "controlPlane:\n  backingStore:\n    etcd:\n      embedded:\n        enabled: true\n" } },
        "controlPlane.backingStore.etcd.embedded needs a paid",
      ],
      [
        { spec: { helmValues: "controlPlane:\n  statefulSet:\n    resources: {}\n" } },
        "controlPlane.statefulSet.resources is set by the portal",
      ],
      [{ spec: { helmValues: "a: [unclosed" } }, "must be valid YAML"],
    ];
    for (const [overrides, message] of cases) {
      const error = await refusal(as(member).vcluster.create({ projectId: project.id, name: "fine", ...overrides }));
      expect(error.code, message).toBe("BAD_REQUEST");
      expect(error.message).toContain(message);
    }
    expect(await t.db.vCluster.count({ where: { projectId: project.id } })).toBe(0);
    const duplicate = await as(member).vcluster.create({ projectId: project.id, name: "dup" });
    const again = await refusal(as(member).vcluster.create({ projectId: project.id, name: "dup" }));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toContain("name: a vcluster named dup already exists");
    await waitForOperation(t.db, duplicate.operationId);
  });

  it("refuses transitions the phase does not allow, and roles below MEMBER", async () => {
    const { member, viewer, project, as } = await team();
    const created = await as(member).vcluster.create({ projectId: project.id, name: "phases" });
    await waitForOperation(t.db, created.operationId);
    const resume = await refusal(as(member).vcluster.resume({ id: created.vcluster.id }));
    expect(resume.code).toBe("PRECONDITION_FAILED");
    expect(resume.message).toContain("cannot resume a vcluster in phase RUNNING");
    expect((await refusal(as(viewer).vcluster.suspend({ id: created.vcluster.id }))).code).toBe("FORBIDDEN");
    const outsider = await createUser(t.db);
    expect((await refusal(as(outsider).vcluster.get({ id: created.vcluster.id }))).code).toBe("NOT_FOUND");
    const downgrade = await refusal(
      as(member).vcluster.update({ id: created.vcluster.id, spec: { kubernetesVersion: "1.35.0" } }),
    );
    expect(downgrade.message).toContain("Kubernetes does not support downgrades");
  });

  it("holds the quota under 100 concurrent creates: exactly the limit succeeds", async () => {
    const owner = await createUser(t.db);
    const project = await createProject(t.db, [{ userId: owner.id, role: "OWNER" }]);
    await t.db.quota.create({
      data: {
        projectId: project.id,
        maxVClusters: 10,
        maxCpuMillis: 1_000_000,
        maxMemoryBytes: 1n << 50n,
        maxStorageBytes: 1n << 50n,
        maxSnapshots: 5,
      },
    });
    await worker.stop();
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          callerFor(t.db, actorOf(owner)).vcluster.create({ projectId: project.id, name: `race-${i}` }),
        ),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      const unexpected = refused.filter(
        (r) =>
          !(
            r.reason instanceof TRPCError &&
            r.reason.code === "FORBIDDEN" &&
            r.reason.message.includes("vclusters would be 11, the limit is 10")
          ),
      );
      expect(unexpected.map((r) => String(r.reason))).toEqual([]);
      expect(ok).toHaveLength(10);
      expect(
        refused.every(
          (r) =>
            r.reason instanceof TRPCError &&
            r.reason.code === "FORBIDDEN" &&
            r.reason.message.includes("vclusters would be 11, the limit is 10"),
        ),
      ).toBe(true);
      expect(await t.db.vCluster.count({ where: { projectId: project.id } })).toBe(10);
      const quota = await callerFor(t.db, actorOf(owner)).project.quota({ projectId: project.id });
      expect(quota.usage.vclusters).toBe(10);
    } finally {
      await t.db.operation.updateMany({ where: { projectId: project.id }, data: { state: "CANCELLED" } });
      await worker.start();
    }
  });
});
