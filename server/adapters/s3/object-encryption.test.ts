import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedS3, type EmbeddedS3 } from "@/server/launch/embedded-s3";
import {
  decryptingIfSealed,
  decryptingStream,
  ENCRYPTION_MAGIC,
  encryptingStream,
  SEGMENT_BYTES,
} from "./object-encryption";
import { createObjectStore, type ObjectStore } from "./object-store";

const key = randomBytes(32);

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Feeds `data` in uneven chunks, as a network would. */
function chunked(data: Buffer, size = 7_919): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts.length ? parts : [Buffer.alloc(0)]);
}

const seal = (data: Buffer, master = key) => collect(chunked(data).pipe(encryptingStream(master)));
const open = (data: Buffer, master = key) => collect(chunked(data).pipe(decryptingStream(master)));

describe("object encryption", () => {
  it("round-trips empty, small, segment-sized and multi-segment data, hiding the plaintext", async () => {
    for (const size of [0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES + 12_345]) {
      const plain = Buffer.alloc(size, "kind: Secret\ndata: c2VjcmV0\n");
      const sealed = await seal(plain);
      expect(sealed.subarray(0, 4).equals(ENCRYPTION_MAGIC)).toBe(true);
      if (size > 64) expect(sealed.includes(plain.subarray(0, 64))).toBe(false);
      expect((await open(sealed)).equals(plain)).toBe(true);
    }
  });

  it("gives every object its own key: the same plaintext never seals the same", async () => {
    const plain = Buffer.from("same bytes");
    expect((await seal(plain)).equals(await seal(plain))).toBe(false);
  });

  it("refuses a flipped bit, a dropped, swapped or cut segment, trailing bytes and another key", async () => {
    const plain = randomBytes(3 * SEGMENT_BYTES + 100);
    const sealed = await seal(plain);
    const segment = 5 + SEGMENT_BYTES + 16;
    const header = 37;
    const flipped = Buffer.from(sealed);
    flipped[header + 100] ^= 1;
    const dropped = Buffer.concat([sealed.subarray(0, header), sealed.subarray(header + segment)]);
    const swapped = Buffer.concat([
      sealed.subarray(0, header),
      sealed.subarray(header + segment, header + 2 * segment),
      sealed.subarray(header, header + segment),
      sealed.subarray(header + 2 * segment),
    ]);
    const cut = sealed.subarray(0, header + 3 * segment);
    const trailing = Buffer.concat([sealed, Buffer.from("x")]);
    for (const [name, bad] of [
      ["flipped", flipped],
      ["dropped", dropped],
      ["swapped", swapped],
      ["cut at a segment boundary", cut],
      ["trailing", trailing],
    ] as const) {
      await expect(open(bad), name).rejects.toThrow(/failed to decrypt/);
    }
    await expect(open(sealed, randomBytes(32))).rejects.toThrow(/authentication failed/);
  });

  it("passes objects stored before encryption through unchanged", async () => {
    const legacy = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]);
    expect((await collect(chunked(legacy, 2).pipe(decryptingIfSealed(key)))).equals(legacy)).toBe(true);
    expect((await collect(Readable.from([Buffer.from("ab")]).pipe(decryptingIfSealed(key)))).toString()).toBe("ab");
  });
});

describe("the object store encrypts at rest", () => {
  let dir: string;
  let s3: EmbeddedS3;
  let sealedStore: ObjectStore;
  let rawStore: ObjectStore;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ovc-s3-enc-"));
    s3 = await startEmbeddedS3({ dataDir: dir });
    const config = {
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      partSize: 5 * 1024 * 1024,
    };
    sealedStore = createObjectStore({ ...config, encryptionKey: key });
    rawStore = createObjectStore(config);
    await sealedStore.ensureBucket();
  });
  afterAll(async () => {
    sealedStore?.destroy();
    rawStore?.destroy();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores only ciphertext, in multipart uploads too, and reads back the plaintext", async () => {
    const secret = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}\n');
    const plain = Buffer.concat(Array.from({ length: 200_000 }, () => secret));
    const { parts } = await sealedStore.putStream("p/objects.ndjson.gz", Readable.from([plain]), {
      contentType: "application/gzip",
    });
    expect(parts).toBeGreaterThan(1);
    const stored = await collect(await rawStore.getStream("p/objects.ndjson.gz"));
    expect(stored.subarray(0, 4).equals(ENCRYPTION_MAGIC)).toBe(true);
    expect(stored.includes(Buffer.from("aHVudGVyMg=="))).toBe(false);
    expect((await collect(await sealedStore.getStream("p/objects.ndjson.gz"))).equals(plain)).toBe(true);
  });

  it("refuses an object changed in the store", async () => {
    await sealedStore.putStream("p/small", Readable.from([Buffer.from("hello, tenant")]), {
      contentType: "text/plain",
    });
    const stored = await collect(await rawStore.getStream("p/small"));
    stored[stored.length - 20] ^= 0xff;
    await rawStore.putStream("p/small", Readable.from([stored]), { contentType: "application/octet-stream" });
    await expect(
      pipeline(await sealedStore.getStream("p/small"), async function* (source) {
        for await (const chunk of source) yield chunk;
      }),
    ).rejects.toThrow(/failed to decrypt/);
  });
});
