/**
 * Reading a snapshot back. The whole payload is spooled to a temporary file and its sha256 checked before the first
 * object is yielded, so a corrupt or truncated snapshot is refused before anything reaches a cluster, and memory
 * stays flat however large the snapshot.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { AppError } from "@/server/universal/errors";
import type { KubeObject } from "./format";

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const metadata = v.metadata as Record<string, unknown> | undefined;
  return (
    typeof v.apiVersion === "string" &&
    typeof v.kind === "string" &&
    typeof metadata === "object" &&
    metadata !== null &&
    typeof metadata.name === "string"
  );
}

/** Yields the snapshot's objects in their stored order, after verifying `expectedSha256` over the whole payload. */
export async function* readSnapshot(payload: Readable, expectedSha256: string): AsyncGenerator<KubeObject> {
  const dir = await mkdtemp(path.join(tmpdir(), "ovc-restore-"));
  const file = path.join(dir, "objects.ndjson.gz");
  try {
    const hash = createHash("sha256");
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(payload, measure, createWriteStream(file));
    const actual = hash.digest("hex");
    if (actual !== expectedSha256.toLowerCase()) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `the snapshot payload is corrupt or truncated: its sha256 is ${actual}, the manifest records ${expectedSha256}; nothing was restored`,
      );
    }
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    let n = 0;
    try {
      for await (const line of lines) {
        n++;
        if (!line) continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new AppError("INVALID", `the snapshot payload's line ${n} is not JSON`);
        }
        if (!isKubeObject(value))
          throw new AppError("INVALID", `the snapshot payload's line ${n} is not a Kubernetes object`);
        yield value;
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError("INVALID", "the snapshot payload is not valid gzip", { cause: err });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
