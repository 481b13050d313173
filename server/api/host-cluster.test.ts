import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSim } from "@open-vcluster/hostsim";
import { callerFor } from "@/server/testing/caller";
import { startTestHost } from "@/server/testing/engine-harness";
import { actorOf, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
let sim: HostSim;

beforeAll(async () => {
  t = await createTestDatabase();
  // The router reads its sealing key from the validated environment, as in production.
  process.env.HOST_CREDENTIALS_KEY = randomBytes(32).toString("hex");
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= t.url;
  sim = await startTestHost({ nodes: 3, nodeCpu: "8", nodeMemory: "32Gi" });
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

describe("host cluster registration", () => {
  it("lets an admin register a reachable host, sealing its credentials and reading its capacity", async () => {
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const caller = callerFor(t.db, actorOf(admin));
    const { name } = await caller.hostCluster.register({
      name: "east-1",
      kubeconfig: sim.kubeconfig,
      labels: { region: "east" },
    });
    expect(name).toBe("east-1");
    const [host] = await caller.hostCluster.list();
    expect(host).toMatchObject({
      name: "east-1",
      health: "HEALTHY",
      capacityCpuMillis: 24_000,
      capacityMemoryBytes: 96n << 30n,
      labels: { region: "east" },
      vclusterCount: 0,
    });
    const stored = await t.db.hostCluster.findUniqueOrThrow({ where: { name: "east-1" } });
    expect(stored.credentialsEncrypted).not.toContain(sim.adminToken);
    expect(Object.values(host).map(String).join(" ")).not.toContain(sim.adminToken);

    expect(await caller.hostCluster.setCordoned({ id: host.id, cordoned: true })).toEqual({
      id: host.id,
      cordoned: true,
    });
  });

  it("keeps a host's own chart (a mirror, a pinned version), refusing one that breaks the rules and storing nothing", async () => {
    const caller = callerFor(t.db, actorOf(await createUser(t.db, { isPlatformAdmin: true })));
    await caller.hostCluster.register({
      name: "airgap",
      kubeconfig: sim.kubeconfig,
      chartRef: "oci://registry.internal/charts/vcluster",
      chartVersion: "0.30.0",
    });
    expect((await caller.hostCluster.list()).find((h) => h.name === "airgap")).toMatchObject({
      chartRef: "oci://registry.internal/charts/vcluster",
      chartVersion: "0.30.0",
    });
    const bad = await caller.hostCluster
      .register({ name: "badchart", kubeconfig: sim.kubeconfig, chartVersion: "latest" })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("chartVersion: must be a chart version like 0.36.1"),
    });
    expect(await t.db.hostCluster.findUnique({ where: { name: "badchart" } })).toBeNull();
  });

  it("refuses a host that does not answer, and stores nothing", async () => {
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const dead = sim.kubeconfig.replace(/server: https:\/\/127\.0\.0\.1:\d+/, "server: https://127.0.0.1:1");
    const error = await callerFor(t.db, actorOf(admin))
      .hostCluster.register({ name: "dead", kubeconfig: dead })
      .catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe("SERVICE_UNAVAILABLE");
    expect(await t.db.hostCluster.findUnique({ where: { name: "dead" } })).toBeNull();
  });

  it("is for platform admins only", async () => {
    const user = await createUser(t.db);
    const error = await callerFor(t.db, actorOf(user))
      .hostCluster.register({ name: "nope", kubeconfig: sim.kubeconfig })
      .catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe("FORBIDDEN");
    const invalid = await callerFor(t.db, actorOf(await createUser(t.db, { isPlatformAdmin: true })))
      .hostCluster.register({ name: "Bad Name", kubeconfig: sim.kubeconfig })
      .catch((e: unknown) => e);
    expect((invalid as TRPCError).code).toBe("BAD_REQUEST");
    expect((invalid as TRPCError).message).toContain("name must be a DNS label");
  });
});
