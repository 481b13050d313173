/**
 * Objects encrypted before they leave the portal, so the store (and whoever can read its disks or its bucket) holds
 * only ciphertext: snapshot payloads carry the tenants' Secrets. AES-256-GCM in 64 KiB segments, each authenticated
 * on its own, so a stream of any size is encrypted and checked in bounded memory; a segment's nonce is its number
 * plus a last-segment flag (the STREAM construction, Hoang, Reyhanitabar, Rogaway, Vizár, "Online
 * Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015), so reordered, dropped or
 * truncated segments fail. Every object gets its own key, derived from the master key and a random salt in its
 * header, so nonces never repeat under one key.
 *
 * Layout: "OVCE" · version 1 · salt (32) · segments of [flags (1) · length (4, big-endian) · ciphertext · tag (16)].
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { AppError } from "@/server/universal/errors";

export const ENCRYPTION_MAGIC = Buffer.from("OVCE");
const VERSION = 1;
const SALT_BYTES = 32;
const HEADER_BYTES = ENCRYPTION_MAGIC.length + 1 + SALT_BYTES;
export const SEGMENT_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const LAST = 1;

function objectKey(master: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", master, salt, "open-vcluster object v1", 32));
}

function nonceOf(index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(index, 5, 6);
  nonce[11] = last ? LAST : 0;
  return nonce;
}

function sealSegment(key: Buffer, header: Buffer, index: number, plain: Buffer, last: boolean): Buffer {
  const cipher = createCipheriv("aes-256-gcm", key, nonceOf(index, last));
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  const frame = Buffer.alloc(5);
  frame[0] = last ? LAST : 0;
  frame.writeUInt32BE(plain.length, 1);
  return Buffer.concat([frame, body, cipher.getAuthTag()]);
}

export function encryptingStream(master: Buffer): Transform {
  const salt = randomBytes(SALT_BYTES);
  const header = Buffer.concat([ENCRYPTION_MAGIC, Buffer.from([VERSION]), salt]);
  const key = objectKey(master, salt);
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (!started) {
        started = true;
        this.push(header);
      }
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // a full segment is sealed only once more data follows, since the last one must carry the flag
      while (pending.length > SEGMENT_BYTES) {
        this.push(sealSegment(key, header, index++, pending.subarray(0, SEGMENT_BYTES), false));
        pending = pending.subarray(SEGMENT_BYTES);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (!started) this.push(header);
      this.push(sealSegment(key, header, index, pending, true));
      done();
    },
  });
}

const corrupt = (why: string) =>
  new AppError(
    "PRECONDITION_FAILED",
    `an encrypted object failed to decrypt (${why}): it was changed, truncated or written with another key`,
  );

/** Verifies and decrypts segment by segment; fails at the first bad one, and at the end when the last is missing. */
export function decryptingStream(master: Buffer): Transform {
  let buffer: Buffer = Buffer.alloc(0);
  let header: Buffer | null = null;
  let key: Buffer | null = null;
  let index = 0;
  let ended = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      try {
        if (!header) {
          if (buffer.length < HEADER_BYTES) return done();
          if (!buffer.subarray(0, 4).equals(ENCRYPTION_MAGIC) || buffer[4] !== VERSION)
            throw corrupt("not this format");
          header = Buffer.from(buffer.subarray(0, HEADER_BYTES));
          key = objectKey(master, header.subarray(5));
          buffer = buffer.subarray(HEADER_BYTES);
        }
        while (buffer.length >= 5 && key) {
          if (ended) throw corrupt("data after the last segment");
          const last = buffer[0] === LAST;
          const length = buffer.readUInt32BE(1);
          if (buffer[0] > LAST || length > SEGMENT_BYTES || (!last && length !== SEGMENT_BYTES))
            throw corrupt("bad segment frame");
          const total = 5 + length + TAG_BYTES;
          if (buffer.length < total) break;
          const decipher = createDecipheriv("aes-256-gcm", key, nonceOf(index++, last));
          decipher.setAAD(header);
          decipher.setAuthTag(buffer.subarray(5 + length, total));
          let plain: Buffer;
          try {
            plain = Buffer.concat([decipher.update(buffer.subarray(5, 5 + length)), decipher.final()]);
          } catch {
            throw corrupt("authentication failed");
          }
          this.push(plain);
          buffer = buffer.subarray(total);
          ended = last;
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      done(!header || !ended || buffer.length > 0 ? corrupt(!ended ? "truncated" : "trailing data") : null);
    },
  });
}

/**
 * Decrypts an object written by encryptingStream and passes any other through unchanged: objects stored before
 * encryption was on stay readable, and what matters in them is checked elsewhere (a snapshot payload against the
 * sha256 its row records, the audit anchor by its MAC).
 */
export function decryptingIfSealed(master: Buffer): Transform {
  let head: Buffer = Buffer.alloc(0);
  let inner: Transform | null | undefined;
  const forward = (target: Transform, chunk: Buffer, done: TransformCallback) => {
    if (target.write(chunk)) done();
    else target.once("drain", () => done());
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (inner === undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.length < ENCRYPTION_MAGIC.length) return done();
        inner = head.subarray(0, ENCRYPTION_MAGIC.length).equals(ENCRYPTION_MAGIC) ? decryptingStream(master) : null;
        if (inner) {
          inner.on("data", (data: Buffer) => this.push(data));
          inner.once("error", (error) => this.destroy(error));
        }
        chunk = head;
      }
      if (inner) forward(inner, chunk, done);
      else done(null, chunk);
    },
    flush(done: TransformCallback) {
      if (inner === undefined) return done(null, head);
      if (!inner) return done();
      const target = inner;
      target.once("end", () => done());
      target.end();
      target.resume();
    },
  });
}

/** The master key: SNAPSHOT_ENCRYPTION_KEY (64 hex), else derived from the host credentials key. */
export function objectEncryptionKey(settings: {
  SNAPSHOT_ENCRYPTION_KEY?: string;
  HOST_CREDENTIALS_KEY?: string;
}): Buffer | null {
  if (settings.SNAPSHOT_ENCRYPTION_KEY) return Buffer.from(settings.SNAPSHOT_ENCRYPTION_KEY, "hex");
  if (settings.HOST_CREDENTIALS_KEY)
    return Buffer.from(
      hkdfSync("sha256", Buffer.from(settings.HOST_CREDENTIALS_KEY, "hex"), "open-vcluster", "object-encryption", 32),
    );
  return null;
}
