import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { recordClusterEvent, recordQuotaThreshold } from "./cluster-events";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

async function projectWithRoles() {
  const [owner, member, viewer, clusterOwner, outsider] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => createUser(t.db)),
  );
  const project = await createProject(t.db, [
    { userId: owner.id, role: "OWNER" },
    { userId: member.id, role: "MEMBER" },
    { userId: viewer.id, role: "VIEWER" },
  ]);
  await createProject(t.db, [{ userId: outsider.id, role: "OWNER" }]);
  return { project, owner, member, viewer, clusterOwner, outsider };
}

describe("cluster event notifications", () => {
  it("reach the project's owners and members and the cluster's owner, not viewers or other tenants", async () => {
    const { project, owner, member, viewer, clusterOwner, outsider } = await projectWithRoles();
    const recorded = await t.db.$transaction((tx) =>
      recordClusterEvent(tx, {
        kind: "phase_changed",
        vclusterId: "vc-1",
        vclusterName: "dev",
        projectId: project.id,
        ownerId: clusterOwner.id,
        phase: "RUNNING",
      }),
    );
    expect(recorded).toEqual({ notified: 3, deliveries: 0 });
    for (const user of [owner, member, clusterOwner]) {
      const { items, unreadCount } = await callerFor(t.db, actorOf(user)).notification.list();
      expect(unreadCount).toBe(1);
      expect(items).toMatchObject([
        { kind: "vcluster.phase_changed", title: "dev is running", projectId: project.id, readAt: null },
      ]);
    }
    for (const user of [viewer, outsider])
      expect(await callerFor(t.db, actorOf(user)).notification.unreadCount()).toEqual({ unread: 0 });

    await t.db.$transaction((tx) =>
      recordClusterEvent(tx, {
        kind: "failed",
        vclusterId: "vc-1",
        vclusterName: "dev",
        projectId: project.id,
        ownerId: owner.id,
        phase: "ERROR",
        message: "image pull failed",
      }),
    );
    const { items } = await callerFor(t.db, actorOf(owner)).notification.list({ unreadOnly: true });
    expect(items[0]).toMatchObject({ kind: "vcluster.failed", title: "dev failed" });
    expect(items[0].body).toContain("image pull failed");
  });

  it("roll back with the transaction that reported them", async () => {
    const { project, owner } = await projectWithRoles();
    await t.db
      .$transaction(async (tx) => {
        await recordClusterEvent(tx, {
          kind: "failed",
          vclusterId: "vc-2",
          vclusterName: "x",
          projectId: project.id,
          ownerId: owner.id,
          phase: "ERROR",
        });
        throw new Error("the change failed");
      })
      .catch(() => undefined);
    expect(await t.db.notification.count({ where: { userId: owner.id } })).toBe(0);
  });
});

describe("read and unread", () => {
  it("marks one, then all, as read; nobody can list or mark another user's", async () => {
    const { project, owner, member } = await projectWithRoles();
    for (const phase of ["CREATING", "RUNNING", "SUSPENDED"]) {
      await t.db.$transaction((tx) =>
        recordClusterEvent(tx, {
          kind: "phase_changed",
          vclusterId: "vc",
          vclusterName: "a",
          projectId: project.id,
          ownerId: owner.id,
          phase,
        }),
      );
    }
    const mine = callerFor(t.db, actorOf(owner));
    const theirs = callerFor(t.db, actorOf(member));
    const { items } = await mine.notification.list();
    expect(items.map((n) => n.title)).toEqual(["a is suspended", "a is running", "a is creating"]);

    expect(await theirs.notification.markRead({ ids: [items[0].id] })).toEqual({ marked: 0 });
    expect(await mine.notification.unreadCount()).toEqual({ unread: 3 });
    expect((await theirs.notification.list()).items.map((n) => n.id)).not.toContain(items[0].id);

    expect(await mine.notification.markRead({ ids: [items[0].id] })).toEqual({ marked: 1 });
    expect(await mine.notification.markRead({ ids: [items[0].id] })).toEqual({ marked: 0 });
    expect(await mine.notification.unreadCount()).toEqual({ unread: 2 });
    expect((await mine.notification.list({ unreadOnly: true })).items.map((n) => n.id)).not.toContain(items[0].id);

    const firstPage = await mine.notification.list({ limit: 2 });
    expect(firstPage.nextCursor).toBe(firstPage.items[1].id);
    const secondPage = await mine.notification.list({ limit: 2, cursor: firstPage.nextCursor ?? undefined });
    expect(secondPage).toMatchObject({ nextCursor: null, items: [{ id: items[2].id }] });
    const foreignCursor = await theirs.notification.list({ cursor: items[0].id }).catch((e: unknown) => e);
    expect((foreignCursor as TRPCError).code).toBe("BAD_REQUEST");

    expect(await mine.notification.markAllRead()).toEqual({ marked: 2 });
    expect(await mine.notification.unreadCount()).toEqual({ unread: 0 });
    expect(await theirs.notification.unreadCount()).toEqual({ unread: 3 });

    const trail = await t.db.auditLog.findMany({
      where: { actorId: owner.id },
      orderBy: { seq: "asc" },
      select: { action: true, result: true },
    });
    expect(trail.map((r) => r.action)).toEqual([
      "notification.markRead",
      "notification.markRead",
      "notification.markAllRead",
    ]);
    expect(
      (
        (await callerFor(t.db, null)
          .notification.unreadCount()
          .catch((e: unknown) => e)) as TRPCError
      ).code,
    ).toBe("UNAUTHORIZED");
  });
});

describe("quota thresholds", () => {
  it("tell each owner once per crossing, and again after they read it", async () => {
    const { project, owner, member } = await projectWithRoles();
    const secondOwner = await createUser(t.db);
    await t.db.membership.create({ data: { userId: secondOwner.id, projectId: project.id, role: "OWNER" } });
    const cross = (percent: 80 | 100, used: number) =>
      t.db.$transaction((tx) =>
        recordQuotaThreshold(tx, { projectId: project.id, resource: "cpu", used, limit: 10, percent }),
      );

    expect(await cross(80, 8)).toEqual({ notified: 2, deliveries: 0 });
    expect(await cross(80, 9)).toEqual({ notified: 0, deliveries: 0 });
    expect((await cross(100, 10)).notified).toBe(2);
    await callerFor(t.db, actorOf(owner)).notification.markAllRead();
    expect(await cross(80, 8)).toEqual({ notified: 1, deliveries: 0 });

    const { items } = await callerFor(t.db, actorOf(secondOwner)).notification.list();
    expect(items.map((n) => n.title)).toEqual(["cpu quota at 100 %", "cpu quota at 80 %"]);
    expect(items[0].body).toContain("10 of 10 cpu");
    expect(await callerFor(t.db, actorOf(member)).notification.unreadCount()).toEqual({ unread: 0 });
  });
});
