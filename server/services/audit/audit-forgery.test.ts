/**
 * Attacks on the audit chain by someone who can write the database but holds neither the audit key nor the object
 * store's credentials: each forgery must fail `audit.verify`.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import { startEmbeddedS3, type EmbeddedS3 } from "@/server/launch/embedded-s3";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { anchorAuditHead, AUDIT_ANCHOR_KEY } from "./audit-anchor";
import { auditHash, canonicalJson, type HashedAuditFields } from "./audit-hash";
import { createId } from "./ids";
import { verifyAuditChain } from "./verify-audit";
import { audited, type AuditActor } from "./write-audit";

const alice: AuditActor = {
  actorType: "user",
  actorId: "alice",
  actorLabel: "alice@example.com",
  requestId: null,
  sourceIp: null,
  userAgent: null,
};

let s3: EmbeddedS3;
let s3Dir: string;
let store: ObjectStore;
let t: TestDatabase;

async function writeRows(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await audited(
      t.db,
      alice,
      { action: "vcluster.create", targetType: "vcluster", targetId: `vc-${i}`, targetName: `dev-${i}` },
      async () => ({ value: null }),
    );
  }
}

/** What a forger can compute without the key: the chain's old, unkeyed SHA-256. */
function unkeyedHash(prevHash: string, fields: HashedAuditFields): string {
  const { before, after, at, ...rest } = fields;
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson({ ...rest, at: at.toISOString(), before: before ?? null, after: after ?? null }))
    .digest("hex");
}

function forgedFields(): HashedAuditFields {
  return {
    id: createId(),
    at: new Date(),
    actorType: "user",
    actorId: "alice",
    actorLabel: "alice@example.com",
    action: "vcluster.delete",
    targetType: "vcluster",
    targetId: "vc-0",
    targetName: "dev-0",
    projectId: null,
    requestId: null,
    sourceIp: null,
    userAgent: null,
    before: null,
    after: null,
    result: "SUCCESS",
    errorCode: null,
    message: null,
  };
}

async function behindTheTrigger(sql: string, ...values: unknown[]): Promise<void> {
  await t.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`ALTER TABLE "AuditLog" DISABLE TRIGGER audit_log_append_only`);
    await tx.$executeRawUnsafe(sql, ...values);
    await tx.$executeRawUnsafe(`ALTER TABLE "AuditLog" ENABLE TRIGGER audit_log_append_only`);
  });
}

const verify = () => verifyAuditChain(t.db, { anchorStore: () => store });

beforeAll(async () => {
  s3Dir = await mkdtemp(path.join(tmpdir(), "ovc-audit-s3-"));
  s3 = await startEmbeddedS3({ dataDir: s3Dir });
  store = objectStoreFrom({
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  });
});
afterAll(async () => {
  store.destroy();
  await s3.stop();
  await rm(s3Dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await t?.close();
  t = await createTestDatabase();
  await store.deletePrefix("audit/");
  await writeRows(4);
  return async () => {
    await t.close();
    t = undefined as unknown as TestDatabase;
  };
});

describe("audit chain forgery", () => {
  it("verifies an intact, anchored chain", async () => {
    expect(await anchorAuditHead(t.db, store)).toBe("written");
    expect(await anchorAuditHead(t.db, store)).toBe("unchanged");
    const result = await verify();
    expect(result).toMatchObject({
      ok: true,
      checked: 4,
      brokenCount: 0,
      anchor: { status: "ok", seq: result.lastSeq },
    });
  });

  it("detects a row appended with a correct-looking unkeyed hash", async () => {
    const last = await t.db.auditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
    const fields = forgedFields();
    await t.db.auditLog.create({
      data: {
        ...fields,
        result: "SUCCESS",
        before: undefined,
        after: undefined,
        prevHash: last.hash,
        hash: unkeyedHash(last.hash, fields),
      },
    });
    const result = await verify();
    expect(result).toMatchObject({ ok: false, brokenCount: 1, firstBroken: { id: fields.id, problem: "hash" } });
  });

  it("detects a forged row that claims to be from before the chain was keyed", async () => {
    const last = await t.db.auditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
    const fields = forgedFields();
    await t.db.auditLog.create({
      data: {
        ...fields,
        result: "SUCCESS",
        before: undefined,
        after: undefined,
        chainVersion: 1,
        prevHash: last.hash,
        hash: auditHash(last.hash, fields, 1),
      },
    });
    const result = await verify();
    expect(result).toMatchObject({ ok: false, brokenCount: 1, firstBroken: { id: fields.id, problem: "version" } });
  });

  it("detects an edited row even when the forger re-hashes it and every row after it", async () => {
    const rows = await t.db.auditLog.findMany({ orderBy: { seq: "asc" } });
    let prev = rows[0].hash;
    for (const row of rows.slice(1)) {
      const { seq: _seq, prevHash: _p, hash: _h, chainVersion: _v, ...fields } = row;
      const edited: HashedAuditFields = { ...fields, targetName: row.id === rows[1].id ? "innocent" : row.targetName };
      const hash = unkeyedHash(prev, edited);
      await behindTheTrigger(
        `UPDATE "AuditLog" SET "targetName" = $1, "prevHash" = $2, hash = $3 WHERE id = $4`,
        edited.targetName,
        prev,
        hash,
        row.id,
      );
      prev = hash;
    }
    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBroken: { id: rows[1].id, problem: "hash" } });
  });

  it("detects rows cut from the end through the anchored head, and keeps that anchor", async () => {
    expect(await anchorAuditHead(t.db, store)).toBe("written");
    const rows = await t.db.auditLog.findMany({ orderBy: { seq: "asc" }, select: { seq: true } });
    await behindTheTrigger(`DELETE FROM "AuditLog" WHERE seq >= $1`, rows[2].seq);
    const result = await verify();
    // the remaining rows link and hash correctly: only the anchor tells
    expect(result).toMatchObject({
      ok: false,
      checked: 2,
      brokenCount: 0,
      anchor: { status: "cut", seq: rows[3].seq },
    });
    expect(await anchorAuditHead(t.db, store)).toBe("behind");
    // new rows written after the cut do not make it whole again
    await writeRows(3);
    expect(await anchorAuditHead(t.db, store)).toBe("written");
    await behindTheTrigger(`DELETE FROM "AuditLog" WHERE seq = (SELECT max(seq) FROM "AuditLog")`);
    expect((await verify()).anchor.status).toBe("cut");
  });

  it("reports a removed anchor once the chain is older than anchoring takes, and a forged one always", async () => {
    expect((await verify()).anchor.status).toBe("pending");
    expect(await verifyAuditChain(t.db, { anchorStore: () => store, anchorGraceMs: 0 })).toMatchObject({
      ok: false,
      anchor: { status: "missing" },
    });
    const last = await t.db.auditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
    const forged = JSON.stringify({
      seq: last.seq.toString(),
      hash: last.hash,
      at: new Date().toISOString(),
      mac: "00".repeat(32),
    });
    await store.putStream(AUDIT_ANCHOR_KEY, Readable.from([Buffer.from(forged)]), { contentType: "application/json" });
    expect(await verify()).toMatchObject({ ok: false, anchor: { status: "invalid" } });
    await expect(anchorAuditHead(t.db, store)).rejects.toThrow(/audit key/);
  });

  it("accepts rows from before the chain was keyed, followed by keyed ones", async () => {
    await t.close();
    t = await createTestDatabase();
    let prev = "0".repeat(64);
    for (let i = 0; i < 3; i++) {
      const fields = { ...forgedFields(), targetName: `old-${i}` };
      const hash = auditHash(prev, fields, 1);
      await t.db.auditLog.create({
        data: {
          ...fields,
          result: "SUCCESS",
          before: undefined,
          after: undefined,
          chainVersion: 1,
          prevHash: prev,
          hash,
        },
      });
      prev = hash;
    }
    await writeRows(2);
    expect(await verify()).toMatchObject({ ok: true, checked: 5, brokenCount: 0 });
  });
});
