import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { callerFor } from "@/server/testing/caller";
import { codeOf } from "@/server/testing/trpc-code";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

describe("procedure kinds", () => {
  it("public procedures answer anyone", async () => {
    const result = await callerFor(t.db, null).system.ping();
    expect(result.ok).toBe(true);
  });

  it("signed-in procedures refuse anonymous callers with UNAUTHORIZED", async () => {
    expect(await codeOf(callerFor(t.db, null).me.get())).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(t.db, null).vcluster.list({}))).toBe("UNAUTHORIZED");
  });

  it("admin procedures refuse non-admins with FORBIDDEN and serve admins", async () => {
    const user = await createUser(t.db);
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    expect(await codeOf(callerFor(t.db, null).user.list())).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(t.db, actorOf(user)).user.list())).toBe("FORBIDDEN");
    const users = await callerFor(t.db, actorOf(admin)).user.list();
    expect(users.map((u) => u.email)).toEqual(expect.arrayContaining([user.email, admin.email]));
  });

  it("project procedures: members pass, other tenants get NOT_FOUND, admins act as owners", async () => {
    const viewer = await createUser(t.db);
    const outsider = await createUser(t.db);
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const project = await createProject(t.db, [{ userId: viewer.id, role: "VIEWER" }]);
    await createProject(t.db, [{ userId: outsider.id, role: "OWNER" }]);

    expect(await callerFor(t.db, actorOf(viewer)).project.myRole({ projectId: project.id })).toEqual({
      projectId: project.id,
      role: "VIEWER",
    });
    expect(await codeOf(callerFor(t.db, actorOf(outsider)).project.myRole({ projectId: project.id }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(callerFor(t.db, actorOf(viewer)).project.myRole({ projectId: "no-such-project" }))).toBe(
      "NOT_FOUND",
    );
    expect(await callerFor(t.db, actorOf(admin)).project.myRole({ projectId: project.id })).toEqual({
      projectId: project.id,
      role: "OWNER",
    });
    expect(await codeOf(callerFor(t.db, actorOf(admin)).project.myRole({ projectId: "no-such-project" }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(callerFor(t.db, null).project.myRole({ projectId: project.id }))).toBe("UNAUTHORIZED");
  });

  it("lists only the caller's projects and their clusters", async () => {
    const alice = await createUser(t.db);
    const bob = await createUser(t.db);
    const mine = await createProject(t.db, [{ userId: alice.id, role: "MEMBER" }]);
    const theirs = await createProject(t.db, [{ userId: bob.id, role: "OWNER" }]);
    for (const [project, owner, name] of [
      [mine, alice, "alpha"],
      [theirs, bob, "beta"],
    ] as const) {
      await t.db.vCluster.create({
        data: {
          name,
          namespace: `vc-${name}`,
          projectId: project.id,
          ownerId: owner.id,
          kubernetesVersion: "1.31",
          cpuRequestMillis: 100,
          cpuLimitMillis: 1000,
          memoryRequestBytes: 128n << 20n,
          memoryLimitBytes: 1n << 30n,
          spec: {},
        },
      });
    }
    const projects = await callerFor(t.db, actorOf(alice)).project.list();
    expect(projects.map((p) => p.id)).toEqual([mine.id]);
    const page = await callerFor(t.db, actorOf(alice)).vcluster.list({});
    expect(page.items.map((c) => c.name)).toEqual(["alpha"]);
    expect(page.total).toBe(1);
    expect(await codeOf(callerFor(t.db, actorOf(alice)).vcluster.list({ limit: 500 }))).toBe("BAD_REQUEST");
  });
});
