import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/universal/errors";
import { startEmbeddedS3, type EmbeddedS3 } from "@/server/launch/embedded-s3";
import { createObjectStore, type ObjectStore } from "./object-store";

let dataDir: string;
let s3: EmbeddedS3;
let store: ObjectStore;
const MiB = 1024 * 1024;

function storeFor(
  server: EmbeddedS3,
  overrides: { accessKeyId?: string; secretAccessKey?: string; bucket?: string } = {},
): ObjectStore {
  return createObjectStore({
    endpoint: server.endpoint,
    region: server.region,
    bucket: server.bucket,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
    partSize: 5 * MiB,
    ...overrides,
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `total` bytes of deterministic data in 1 MiB chunks, failing after `failAfter` bytes when given. */
function generated(total: number, failAfter?: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter)
        return this.destroy(new AppError("UNAVAILABLE", "the snapshot export failed"));
      if (sent >= total) return this.push(null);
      const chunk = Buffer.alloc(Math.min(MiB, total - sent), sent / MiB);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** The multipart uploads s3rver still holds parts for (its directory exists once any multipart upload started). */
async function leftoverParts(server: EmbeddedS3): Promise<string[]> {
  return readdir(path.join(dataDir, server.bucket, "._S3rver_uploads"));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "ovc-s3-"));
  s3 = await startEmbeddedS3({ dataDir });
  store = storeFor(s3);
  await store.ensureBucket();
});
afterAll(async () => {
  store.destroy();
  await s3.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("object store against the embedded S3", () => {
  it("puts, heads, gets, lists and deletes by prefix", async () => {
    const body = randomBytes(64 * 1024);
    const put = await store.putStream("p1/vc1/s1/objects.ndjson.gz", Readable.from([body]), {
      contentType: "application/gzip",
    });
    expect(put.sizeBytes).toBe(body.length);
    await store.putStream("p1/vc1/s1/manifest.json", Readable.from([Buffer.from("{}")]), {
      contentType: "application/json",
    });
    await store.putStream("p1/vc1/s2/manifest.json", Readable.from([Buffer.from("{}")]), {
      contentType: "application/json",
    });
    const head = await store.head("p1/vc1/s1/objects.ndjson.gz");
    expect(head).toMatchObject({ sizeBytes: body.length, contentType: "application/gzip" });
    expect((await readAll(await store.getStream("p1/vc1/s1/objects.ndjson.gz"))).equals(body)).toBe(true);
    expect((await store.list("p1/vc1/s1/")).map((o) => o.key).sort()).toEqual([
      "p1/vc1/s1/manifest.json",
      "p1/vc1/s1/objects.ndjson.gz",
    ]);
    expect(await store.deletePrefix("p1/vc1/s1/")).toBe(2);
    expect(await store.list("p1/vc1/s1/")).toEqual([]);
    expect((await store.list("p1/")).map((o) => o.key)).toEqual(["p1/vc1/s2/manifest.json"]);
    await expect(store.deletePrefix("")).rejects.toMatchObject({ code: "INVALID" });
    expect(store.uri("p1/vc1/s2/manifest.json")).toBe(`s3://${s3.bucket}/p1/vc1/s2/manifest.json`);
  });

  it("uploads 20 MB in parts and reads back the same bytes", async () => {
    const size = 20 * 1000 * 1000;
    const expected = createHash("sha256");
    const source = generated(size);
    source.on("data", (c: Buffer) => expected.update(c));
    const put = await store.putStream("big/object.bin", source, { contentType: "application/octet-stream" });
    expect(put.sizeBytes).toBe(size);
    expect(put.parts).toBe(4);
    const actual = createHash("sha256");
    for await (const chunk of await store.getStream("big/object.bin")) actual.update(chunk as Buffer);
    expect(actual.digest("hex")).toBe(expected.digest("hex"));
    expect(await leftoverParts(s3)).toEqual([]);
  });

  it("an upload whose source fails midway leaves no object and no parts", async () => {
    await expect(
      store.putStream("broken/object.bin", generated(20 * MiB, 12 * MiB), { contentType: "application/octet-stream" }),
    ).rejects.toMatchObject({ code: "UNAVAILABLE", message: "the snapshot export failed" });
    await expect(store.head("broken/object.bin")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await leftoverParts(s3)).toEqual([]);
  });

  it("translates missing keys, refused credentials and a stopped store, never echoing the secret", async () => {
    await expect(store.head("missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(store.getStream("missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
    // the embedded store's front refuses an unknown key id (a right id with a wrong secret: embedded-s3-attacks.test.ts)
    const wrong = storeFor(s3, { accessKeyId: "OVCUNKNOWN", secretAccessKey: "wrong-secret-value" });
    const refused = await wrong.list("anything").catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: "FORBIDDEN" });
    expect(String((refused as Error).message)).not.toContain("wrong-secret-value");
    wrong.destroy();
    await expect(storeFor(s3, { bucket: "no-such-bucket" }).list("x")).rejects.toMatchObject({ code: "NOT_FOUND" });

    const otherDir = await mkdtemp(path.join(tmpdir(), "ovc-s3-stop-"));
    const other = await startEmbeddedS3({ dataDir: otherDir });
    const doomed = storeFor(other);
    await other.stop();
    await expect(
      doomed.putStream("x/y", generated(6 * MiB), { contentType: "application/octet-stream" }),
    ).rejects.toMatchObject({ code: "UNAVAILABLE" });
    doomed.destroy();
    await rm(otherDir, { recursive: true, force: true });
  });

  it("the embedded store refuses s3rver's well-known default key", async () => {
    const guessed = createObjectStore({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    });
    await expect(guessed.list("")).rejects.toMatchObject({ code: "FORBIDDEN" });
    guessed.destroy();
  });
});
