import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { setPortalEnv } from "@/server/testing/portal-env";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  setPortalEnv(t.url);
});
afterAll(async () => {
  await t?.close();
});

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

const host = (name: string, data: { chartVersion?: string; cordoned?: boolean } = {}) =>
  t.db.hostCluster.create({
    data: {
      name,
      apiEndpoint: "https://127.0.0.1:9",
      credentialsEncrypted: "sealed",
      capacityCpuMillis: 64_000,
      capacityMemoryBytes: 1n << 40n,
      health: "HEALTHY",
      ...data,
    },
  });

/** Everything a create writes, counted, so the dry run can be shown to write none of it. */
const written = async () => [
  await t.db.vCluster.count(),
  await t.db.operation.count(),
  await t.db.auditLog.count(),
  await t.db.notification.count(),
];

describe("vcluster.dryRun", () => {
  it("renders the values with the portal's chart while no host is registered, and writes nothing", async () => {
    const member = await createUser(t.db);
    const owner = await createUser(t.db);
    const project = await createProject(t.db, [
      { userId: member.id, role: "MEMBER" },
      { userId: owner.id, role: "OWNER" },
    ]);
    // a quota the claim takes past 80 %: a create would notify the owners, the dry run must not
    await t.db.quota.create({
      data: {
        projectId: project.id,
        maxVClusters: 1,
        maxCpuMillis: 4000,
        maxMemoryBytes: 8n << 30n,
        maxStorageBytes: 100n << 30n,
        maxSnapshots: 5,
      },
    });
    const before = await written();
    const result = await callerFor(t.db, actorOf(member)).vcluster.dryRun({
      projectId: project.id,
      name: "preview",
      spec: { kubernetesVersion: "1.35.0", enableHa: true, replicas: 3 },
    });
    expect(result).toMatchObject({ chart: { version: "0.36.1" }, hostCluster: null });
    const values = parse(result.values, { version: "1.1" }) as {
      controlPlane: {
        distro: { k8s: { image: { tag: string } } };
        backingStore: { etcd: { deploy: { enabled: boolean } } };
      };
    };
    expect(values.controlPlane.distro.k8s.image.tag).toBe("v1.35.0");
    expect(values.controlPlane.backingStore.etcd.deploy.enabled).toBe(true);
    expect(await written()).toEqual(before);
  });

  it("places it as create would, and refuses what create refuses: the host's chart version, the quota, placement, a taken name", async () => {
    const member = await createUser(t.db);
    const project = await createProject(t.db, [{ userId: member.id, role: "MEMBER" }]);
    const api = callerFor(t.db, actorOf(member));
    const old = await host("old-chart", { chartVersion: "0.30.0" });

    const placed = await api.vcluster.dryRun({
      projectId: project.id,
      name: "preview",
      spec: { kubernetesVersion: "1.34.0" },
    });
    expect(placed).toMatchObject({ chart: { version: "0.30.0" }, hostCluster: { id: old.id, name: "old-chart" } });
    const tooNew = await refusal(
      api.vcluster.dryRun({ projectId: project.id, name: "preview", spec: { kubernetesVersion: "1.36.0" } }),
    );
    expect(tooNew).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining(
        "spec.kubernetesVersion: Kubernetes 1.36.0 is not supported by vcluster chart 0.30.0",
      ),
    });
    const created = await refusal(
      api.vcluster.create({ projectId: project.id, name: "preview", spec: { kubernetesVersion: "1.36.0" } }),
    );
    expect(created.message).toBe(tooNew.message);
    expect(await t.db.vCluster.count({ where: { projectId: project.id } })).toBe(0);

    await t.db.quota.create({
      data: {
        projectId: project.id,
        maxVClusters: 5,
        maxCpuMillis: 100,
        maxMemoryBytes: 8n << 30n,
        maxStorageBytes: 100n << 30n,
        maxSnapshots: 5,
      },
    });
    expect(
      (
        await refusal(
          api.vcluster.dryRun({ projectId: project.id, name: "preview", spec: { kubernetesVersion: "1.34.0" } }),
        )
      ).message,
    ).toContain("project quota exceeded: requested CPU");
    await t.db.quota.update({ where: { projectId: project.id }, data: { maxCpuMillis: 100_000 } });

    await t.db.hostCluster.update({ where: { id: old.id }, data: { cordoned: true } });
    expect(
      (
        await refusal(
          api.vcluster.dryRun({ projectId: project.id, name: "preview", spec: { kubernetesVersion: "1.34.0" } }),
        )
      ).message,
    ).toContain("old-chart: cordoned by an admin");
    await t.db.hostCluster.update({ where: { id: old.id }, data: { cordoned: false } });

    await api.vcluster.create({ projectId: project.id, name: "taken", spec: { kubernetesVersion: "1.34.0" } });
    expect(
      (
        await refusal(
          api.vcluster.dryRun({ projectId: project.id, name: "taken", spec: { kubernetesVersion: "1.34.0" } }),
        )
      ).code,
    ).toBe("CONFLICT");
  });

  it("takes only what create takes: a stray field or an idempotency key is refused, and a VIEWER is not let in", async () => {
    const viewer = await createUser(t.db);
    const member = await createUser(t.db);
    const project = await createProject(t.db, [
      { userId: viewer.id, role: "VIEWER" },
      { userId: member.id, role: "MEMBER" },
    ]);
    expect(
      (await refusal(callerFor(t.db, actorOf(viewer)).vcluster.dryRun({ projectId: project.id, name: "preview" })))
        .code,
    ).toBe("FORBIDDEN");
    const api = callerFor(t.db, actorOf(member));
    const stray = { projectId: project.id, name: "preview", idempotencyKey: "key-12345678" } as Parameters<
      typeof api.vcluster.dryRun
    >[0];
    expect((await refusal(api.vcluster.dryRun(stray))).code).toBe("BAD_REQUEST");
  });
});
