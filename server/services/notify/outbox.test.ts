/**
 * The engine's events reach people through the outbox: written in the transaction of the change (so a rolled-back
 * change tells no one), turned into notifications and webhook deliveries once by the consumer, and kept with
 * their error when handling fails, without holding up the events behind them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeOperationSucceeded } from "@/server/engine/queue/complete-operation";
import { claimNextOperation } from "@/server/engine/queue/operations";
import { seal } from "@/server/security/seal";
import { recordTestVCluster, TEST_CREDENTIALS_KEY } from "@/server/testing/engine-harness";
import { createProject, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { consumeNextEvent } from "./outbox-consumer";
import { createWebhook } from "./webhooks";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  const kubeconfig = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:9"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;
  await t.db.hostCluster.create({
    data: {
      name: "outbox-host",
      apiEndpoint: "https://127.0.0.1:9",
      credentialsEncrypted: seal(kubeconfig, TEST_CREDENTIALS_KEY),
      capacityCpuMillis: 1_000_000,
      capacityMemoryBytes: 1n << 42n,
      health: "HEALTHY",
    },
  });
});
afterAll(async () => {
  await t?.close();
});

async function drain(): Promise<number> {
  let handled = 0;
  while (await consumeNextEvent(t.db)) handled += 1;
  return handled;
}

async function createdCluster(name: string) {
  const owner = await createUser(t.db);
  const member = await createUser(t.db);
  const project = await createProject(t.db, [
    { userId: owner.id, role: "OWNER" },
    { userId: member.id, role: "MEMBER" },
  ]);
  await t.db.$transaction((tx) =>
    createWebhook(tx, TEST_CREDENTIALS_KEY, project.id, {
      url: "https://example.com/hook",
      events: ["vcluster.phase_changed"],
    }),
  );
  const { vcluster } = await recordTestVCluster(t.db, project.id, owner.id, name);
  const op = await claimNextOperation(t.db, "outbox-test-worker", 30_000);
  if (!op || op.vclusterId !== vcluster.id) throw new Error("expected to claim the cluster's CREATE");
  // where the create's first step leaves it
  await t.db.vCluster.update({ where: { id: vcluster.id }, data: { phase: "CREATING" } });
  return { owner, member, project, vcluster, op };
}

describe("the outbox", () => {
  it("commits an operation's event with its completion, and the consumer tells the project once", async () => {
    await drain();
    const { owner, member, project, vcluster, op } = await createdCluster("outbox-a");
    await completeOperationSucceeded(t.db, op, "outbox-test-worker", {});
    const events = await t.db.outboxEvent.findMany({ where: { processedAt: null } });
    expect(events).toMatchObject([
      { kind: "vcluster.phase_changed", payload: { vclusterId: vcluster.id, phase: "RUNNING" } },
    ]);
    // nothing reaches anyone until the event is consumed
    expect(await t.db.notification.count({ where: { projectId: project.id } })).toBe(0);

    expect(await drain()).toBe(1);
    const told = await t.db.notification.findMany({
      where: { projectId: project.id },
      select: { userId: true, kind: true, title: true },
    });
    expect(told.map((n) => n.userId).sort()).toEqual([owner.id, member.id].sort());
    expect(told[0]).toMatchObject({ kind: "vcluster.phase_changed", title: "outbox-a is running" });
    expect(
      await t.db.webhookDelivery.count({
        where: { webhook: { projectId: project.id }, event: "vcluster.phase_changed" },
      }),
    ).toBe(1);
    expect(await t.db.outboxEvent.count({ where: { processedAt: null } })).toBe(0);
    // consuming again tells no one twice
    expect(await drain()).toBe(0);
    expect(await t.db.notification.count({ where: { projectId: project.id } })).toBe(2);
  });

  it("writes no event for a completion that rolled back (a worker that lost its claim)", async () => {
    await drain();
    const { op } = await createdCluster("outbox-b");
    await expect(completeOperationSucceeded(t.db, op, "some-other-worker", {})).rejects.toThrow();
    expect(await t.db.outboxEvent.count({ where: { processedAt: null } })).toBe(0);
  });

  it("keeps an event whose handling failed, with its error, and goes on with the ones behind it", async () => {
    await drain();
    const broken = await t.db.outboxEvent.create({
      data: {
        kind: "vcluster.phase_changed",
        payload: {
          vclusterId: "gone",
          projectId: "no-such-project",
          ownerId: "nobody",
          vclusterName: "x",
          phase: "RUNNING",
          kind: "phase_changed",
        },
      },
    });
    const { project, op } = await createdCluster("outbox-c");
    await completeOperationSucceeded(t.db, op, "outbox-test-worker", {});
    expect(await drain()).toBe(2);
    const kept = await t.db.outboxEvent.findUniqueOrThrow({ where: { id: broken.id } });
    expect(kept.processedAt).toBeNull();
    expect(kept.attempts).toBe(1);
    expect(kept.lastError).toBeTruthy();
    expect(kept.availableAt.getTime()).toBeGreaterThan(Date.now());
    expect(await t.db.notification.count({ where: { projectId: project.id } })).toBe(2);
  });

  it("handles each event once when several instances consume at the same time", async () => {
    await t.db.outboxEvent.updateMany({ where: { processedAt: null }, data: { processedAt: new Date() } });
    const clusters = [];
    for (const name of ["outbox-d1", "outbox-d2", "outbox-d3"]) {
      const c = await createdCluster(name);
      await completeOperationSucceeded(t.db, c.op, "outbox-test-worker", {});
      clusters.push(c);
    }
    await Promise.all([drain(), drain(), drain()]);
    await drain();
    for (const c of clusters) expect(await t.db.notification.count({ where: { projectId: c.project.id } })).toBe(2);
    expect(await t.db.outboxEvent.count({ where: { processedAt: null } })).toBe(0);
  });
});
