import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db/client";
import { verifyPassword } from "@/server/auth/password";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { bootstrapFirstAdmin } from "./bootstrap";

let t: TestDatabase;
const clients: Db[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  for (const client of clients) await client.$disconnect();
  await t?.close();
});

describe("the first-admin bootstrap", () => {
  it("run by three starters at once, each on its own connection, creates one admin and one default project", async () => {
    for (let i = 0; i < 3; i++) clients.push(createDb(t.url));
    const password = "the first admin's password";
    const results = await Promise.all(
      clients.map((db) => bootstrapFirstAdmin(db, { email: "Admin@Example.test", password })),
    );

    expect(results.filter((r) => r.admin)).toEqual([
      { admin: { email: "admin@example.test", generatedPassword: null } },
    ]);
    const users = await t.db.user.findMany();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: "admin@example.test", isPlatformAdmin: true });
    expect(await verifyPassword(password, users[0].passwordHash ?? "")).toBe(true);
    const projects = await t.db.project.findMany({ include: { memberships: true, quota: true } });
    expect(projects).toHaveLength(1);
    expect(projects[0]).toMatchObject({ slug: "default", memberships: [{ userId: users[0].id, role: "OWNER" }] });
    expect(projects[0].quota).not.toBeNull();

    // a later start finds the admin and changes nothing
    expect(await bootstrapFirstAdmin(clients[0], { email: "someone-else@example.test" })).toEqual({ admin: null });
    expect(await t.db.user.count()).toBe(1);
  });
});
