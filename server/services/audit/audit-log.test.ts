import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportAuditLog } from "@/app/api/audit/export/export-handler";
import { generateToken } from "@/server/auth/api-tokens";
import { AppError } from "@/server/universal/errors";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { setPortalEnv } from "@/server/testing/portal-env";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { AUDIT_CSV_COLUMNS, csvCell } from "./export-audit";
import { verifyAuditChain } from "./verify-audit";
import { audited, type AuditActor } from "./write-audit";

let t: TestDatabase;
let admin: Awaited<ReturnType<typeof createUser>>;
let projectA: string;
let projectB: string;

const actor = (id: string, label: string, type: AuditActor["actorType"] = "user"): AuditActor => ({
  actorType: type,
  actorId: id,
  actorLabel: label,
  requestId: "req-1",
  sourceIp: "10.0.0.1",
  userAgent: '=HYPERLINK("x")',
});

async function bearerOf(userId: string): Promise<string> {
  const { token, prefix, tokenHash } = generateToken();
  await t.db.apiToken.create({ data: { userId, name: "export", prefix, tokenHash } });
  return token;
}

beforeAll(async () => {
  t = await createTestDatabase();
  setPortalEnv(t.url);
  admin = await createUser(t.db, { isPlatformAdmin: true });
  projectA = (await createProject(t.db)).id;
  projectB = (await createProject(t.db)).id;
  const alice = actor("alice-id", "alice@example.com");
  const bob = actor("bob-id", "bob@example.com", "token");
  for (let i = 0; i < 5; i++) {
    await audited(
      t.db,
      alice,
      {
        action: "vcluster.create",
        targetType: "vcluster",
        targetId: `vc-${i}`,
        targetName: `dev-${i}`,
        projectId: projectA,
      },
      async () => ({
        value: null,
        audit: { after: { name: `dev-${i}`, replicas: i, nested: { b: 1, a: [1, "x"] } } },
      }),
    );
  }
  await audited(
    t.db,
    bob,
    {
      action: "vcluster.scale",
      targetType: "vcluster",
      targetId: "vc-1",
      targetName: "dev-1",
      projectId: projectA,
      before: { replicas: 1 },
    },
    async () => {
      throw new AppError("QUOTA_EXCEEDED", "cpu quota exceeded");
    },
  ).catch(() => undefined);
  await audited(
    t.db,
    bob,
    {
      action: "vcluster.delete",
      targetType: "vcluster",
      targetId: "vc-9",
      targetName: 'prod, "main"',
      projectId: projectB,
    },
    async () => {
      throw new Error("boom");
    },
  ).catch(() => undefined);
});
afterAll(async () => {
  await t.close();
});

describe("audit.list", () => {
  it("filters by actor, project, action, target, result and time, newest first", async () => {
    const caller = callerFor(t.db, actorOf(admin));
    const all = await caller.audit.list({ limit: 200 });
    expect(all.items).toHaveLength(7);
    expect(all.items.map((r) => r.seq)).toEqual([...all.items.map((r) => r.seq)].sort((a, b) => (a > b ? -1 : 1)));

    expect((await caller.audit.list({ filter: { actor: "bob@" } })).items.map((r) => r.action)).toEqual([
      "vcluster.delete",
      "vcluster.scale",
    ]);
    expect((await caller.audit.list({ filter: { actor: "alice-id" } })).items).toHaveLength(5);
    expect((await caller.audit.list({ filter: { projectId: projectB } })).items.map((r) => r.targetName)).toEqual([
      'prod, "main"',
    ]);
    expect((await caller.audit.list({ filter: { action: "vcluster.create" } })).items).toHaveLength(5);
    expect((await caller.audit.list({ filter: { target: "vc-1" } })).items.map((r) => r.action)).toEqual([
      "vcluster.scale",
      "vcluster.create",
    ]);
    expect((await caller.audit.list({ filter: { target: "dev-3" } })).items).toHaveLength(1);
    const refused = await caller.audit.list({ filter: { result: "REFUSED" } });
    expect(refused.items).toMatchObject([
      { action: "vcluster.scale", errorCode: "QUOTA_EXCEEDED", actorType: "token", before: { replicas: 1 } },
    ]);
    expect((await caller.audit.list({ filter: { result: "FAILURE" } })).items).toMatchObject([
      { errorCode: "INTERNAL", message: "internal error" },
    ]);

    const middle = all.items[3].at;
    const older = await caller.audit.list({ filter: { to: middle }, limit: 200 });
    expect(older.items.every((r) => r.at <= middle)).toBe(true);
    expect((await caller.audit.list({ filter: { from: new Date(Date.now() + 60_000) } })).items).toEqual([]);
    await expect(caller.audit.list({ filter: { from: new Date(), to: new Date(0) } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("pages by cursor without gaps or repeats", async () => {
    const caller = callerFor(t.db, actorOf(admin));
    const seen: bigint[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await caller.audit.list({ limit: 3, cursor });
      seen.push(...page.items.map((r) => r.seq));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const all = await caller.audit.list({ limit: 200 });
    expect(seen).toEqual(all.items.map((r) => r.seq));
    await expect(caller.audit.list({ cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("is for platform admins only, as is verify", async () => {
    const user = await createUser(t.db);
    for (const call of [callerFor(t.db, actorOf(user)).audit.list({}), callerFor(t.db, actorOf(user)).audit.verify()]) {
      expect(((await call.catch((e: unknown) => e)) as TRPCError).code).toBe("FORBIDDEN");
    }
    expect(
      (
        (await callerFor(t.db, null)
          .audit.verify()
          .catch((e: unknown) => e)) as TRPCError
      ).code,
    ).toBe("UNAUTHORIZED");
  });
});

describe("audit export", () => {
  const url = (query: string) => `http://portal.test/api/audit/export?${query}`;

  it("streams CSV with a header row, quoted cells and defused formulas", async () => {
    const token = await bearerOf(admin.id);
    const response = await exportAuditLog(
      t.db,
      new Request(url("format=csv&projectId=" + projectA), { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    expect(response.body).toBeInstanceOf(ReadableStream);
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(1 + 6);
    const first = lines[1].split(",");
    expect(first[AUDIT_CSV_COLUMNS.indexOf("action")]).toBe("vcluster.create");
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[1]).toContain(`"{""name"":""dev-0"",""nested"":{""a"":[1,""x""],""b"":1},""replicas"":0}"`);
    expect(csvCell('prod, "main"')).toBe('"prod, ""main"""');
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell(null)).toBe("");
  });

  it("streams NDJSON, one row per line, in chain order, with the export itself audited", async () => {
    const token = await bearerOf(admin.id);
    const response = await exportAuditLog(
      t.db,
      new Request(url("format=ndjson&action=vcluster.create"), { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const rows = (await response.text())
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: string; targetName: string; after: { replicas: number }; hash: string });
    expect(rows.map((r) => r.targetName)).toEqual(["dev-0", "dev-1", "dev-2", "dev-3", "dev-4"]);
    expect(rows[2].after.replicas).toBe(2);
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const exports = await callerFor(t.db, actorOf(admin)).audit.list({ filter: { action: "audit.export" } });
    expect(exports.items[0]).toMatchObject({
      actorType: "token",
      actorId: admin.id,
      after: { format: "ndjson", filter: { action: "vcluster.create" } },
    });
  });

  it("reads in pages, not all at once", async () => {
    const { auditExportStream } = await import("./export-audit");
    const reader = auditExportStream(t.db, {}, "ndjson", 2).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value).trimEnd().split("\n")).toHaveLength(2);
    await reader.cancel();
  });

  it("refuses non-admins, bad tokens and bad queries", async () => {
    const user = await createUser(t.db);
    const forbidden = await exportAuditLog(
      t.db,
      new Request(url("format=csv"), { headers: { authorization: `Bearer ${await bearerOf(user.id)}` } }),
    );
    expect(forbidden.status).toBe(403);
    const badToken = await exportAuditLog(
      t.db,
      new Request(url("format=csv"), { headers: { authorization: "Bearer ovc_nope" } }),
    );
    expect(badToken.status).toBe(401);
    const badFormat = await exportAuditLog(
      t.db,
      new Request(url("format=xml"), { headers: { authorization: `Bearer ${await bearerOf(admin.id)}` } }),
    );
    expect(badFormat.status).toBe(400);
    expect(((await badFormat.json()) as { error: { message: string } }).error.message).toContain("format");
  });
});

describe("audit chain", () => {
  it("verifies an intact chain", async () => {
    const result = await callerFor(t.db, actorOf(admin)).audit.verify();
    // no object store is configured here, so there is no head to compare with (audit-forgery.test.ts has one)
    expect(result).toMatchObject({ ok: true, brokenCount: 0, firstBroken: null, anchor: { status: "unconfigured" } });
    expect(result.checked).toBe(await t.db.auditLog.count());
  });

  it("refuses UPDATE, DELETE and TRUNCATE through the trigger", async () => {
    await expect(t.db.$executeRawUnsafe(`UPDATE "AuditLog" SET message = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.$executeRawUnsafe(`DELETE FROM "AuditLog"`)).rejects.toThrow(/append-only/);
    await expect(t.db.$executeRawUnsafe(`TRUNCATE "AuditLog"`)).rejects.toThrow(/append-only/);
  });

  it("reports exactly the row a superuser changed behind the trigger's back", async () => {
    const rows = await t.db.auditLog.findMany({ orderBy: { seq: "asc" }, select: { id: true, seq: true } });
    const victim = rows[3];
    await t.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditLog" DISABLE TRIGGER audit_log_append_only`);
      await tx.$executeRawUnsafe(`UPDATE "AuditLog" SET "targetName" = 'innocent' WHERE id = $1`, victim.id);
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditLog" ENABLE TRIGGER audit_log_append_only`);
    });
    const result = await callerFor(t.db, actorOf(admin)).audit.verify();
    expect(result).toMatchObject({
      ok: false,
      brokenCount: 1,
      firstBroken: { id: victim.id, seq: victim.seq, problem: "hash" },
    });
    expect(result.checked).toBe(rows.length);
    await expect(t.db.$executeRawUnsafe(`DELETE FROM "AuditLog" WHERE id = $1`, victim.id)).rejects.toThrow(
      /append-only/,
    );
  });

  it("reports a removed row as a broken link at its successor, also across pages", async () => {
    const rows = await t.db.auditLog.findMany({ orderBy: { seq: "asc" }, select: { id: true, seq: true } });
    await t.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditLog" DISABLE TRIGGER audit_log_append_only`);
      await tx.$executeRawUnsafe(`DELETE FROM "AuditLog" WHERE id = $1`, rows[5].id);
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditLog" ENABLE TRIGGER audit_log_append_only`);
    });
    const result = await verifyAuditChain(t.db, { pageSize: 2 });
    // The row changed earlier stays the first broken one; the gap adds its successor, whose link now points nowhere.
    expect(result).toMatchObject({
      ok: false,
      brokenCount: 2,
      checked: rows.length - 1,
      firstBroken: { id: rows[3].id, problem: "hash" },
    });
  });
});
