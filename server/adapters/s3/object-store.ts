/**
 * The storage adapter: one bucket of any S3-compatible store. Uploads stream in bounded parts (memory stays at
 * about partSize × queueSize however large the object), and a failed upload aborts its multipart upload so no parts
 * are left behind. Objects are encrypted on the way out when a key is configured (./object-encryption.ts). Every
 * failure leaves here as an AppError (see ./errors.ts).
 */
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";
import { AppError } from "@/server/universal/errors";
import { translateS3Error } from "./errors";
import { decryptingIfSealed, encryptingStream } from "./object-encryption";

export interface ObjectStoreConfig {
  /** unset: AWS's own endpoint for the region */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** bytes per uploaded part; S3's minimum is 5 MiB */
  partSize?: number;
  /** parts uploaded in parallel */
  queueSize?: number;
  /** when set, every object is encrypted before upload and decrypted on download (./object-encryption.ts) */
  encryptionKey?: Buffer | null;
}

export interface ObjectInfo {
  key: string;
  sizeBytes: number;
  lastModified?: Date;
  etag?: string;
  contentType?: string;
}

export interface ObjectStore {
  /** `s3://bucket` (with the endpoint's host when not AWS), for messages and storage URIs */
  readonly name: string;
  readonly bucket: string;
  uri(key: string): string;
  ensureBucket(): Promise<void>;
  /** a failure of `body` itself is passed on as it is when an AppError (the producer's own reason), else INTERNAL */
  putStream(
    key: string,
    body: Readable,
    options: { contentType: string },
  ): Promise<{ sizeBytes: number; parts: number; etag?: string }>;
  getStream(key: string): Promise<Readable>;
  head(key: string): Promise<ObjectInfo>;
  list(prefix: string): Promise<ObjectInfo[]>;
  /** deletes every object under `prefix`; returns how many */
  deletePrefix(prefix: string): Promise<number>;
  /** closes the client's kept-alive connections */
  destroy(): void;
}

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 2;
const MIN_PART_SIZE = 5 * 1024 * 1024;

function storeName(config: ObjectStoreConfig): string {
  if (!config.endpoint) return `s3://${config.bucket}`;
  try {
    return `s3://${config.bucket} at ${new URL(config.endpoint).host}`;
  } catch {
    throw new AppError("INVALID", "S3 endpoint: not a valid URL");
  }
}

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  const name = storeName(config);
  const partSize = Math.max(config.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE);
  const queueSize = Math.max(config.queueSize ?? DEFAULT_QUEUE_SIZE, 1);
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // the SDK's own retries cover throttling and transient 5xx; three attempts keep a dead store from stalling a job
    maxAttempts: 3,
  });
  const Bucket = config.bucket;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw translateS3Error(err, { store: name, what });
    }
  };

  return {
    name,
    bucket: Bucket,
    uri: (key) => `s3://${Bucket}/${key}`,

    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
        return;
      } catch (err) {
        const translated = translateS3Error(err, { store: name, what: "bucket check" });
        if (translated.code !== "NOT_FOUND") throw translated;
      }
      await call("bucket creation", async () => {
        try {
          await client.send(new CreateBucketCommand({ Bucket }));
        } catch (err) {
          // another instance created it between the check and the creation
          if (translateS3Error(err, { store: name, what: "" }).code !== "CONFLICT") throw err;
        }
      });
    },

    async putStream(key, source, { contentType }) {
      let sizeBytes = 0;
      let parts = 0;
      let sourceError: unknown;
      source.once("error", (err) => (sourceError = err));
      let body: Readable = source;
      if (config.encryptionKey) {
        const sealed = encryptingStream(config.encryptionKey);
        source.once("error", (err) => sealed.destroy(err));
        body = source.pipe(sealed);
      }
      const upload = new Upload({
        client,
        params: {
          Bucket,
          Key: key,
          Body: body,
          ContentType: config.encryptionKey ? "application/octet-stream" : contentType,
        },
        partSize,
        queueSize,
        leavePartsOnError: false,
      });
      upload.on("httpUploadProgress", (p) => {
        if (typeof p.loaded === "number") sizeBytes = Math.max(sizeBytes, p.loaded);
        if (typeof p.part === "number") parts = Math.max(parts, p.part);
      });
      const result = await call(`upload of ${key}`, async () => {
        try {
          return await upload.done();
        } catch (err) {
          // The upload's own abort can fail too (the store being down); the first failure is the one to report, and
          // a bucket lifecycle rule for incomplete multipart uploads is what collects parts a dead store kept.
          await upload.abort().catch(() => undefined);
          if (sourceError instanceof AppError) throw sourceError;
          if (sourceError)
            throw new AppError("INTERNAL", `upload of ${key} to ${name} stopped: the data being uploaded failed`, {
              cause: sourceError,
            });
          throw err;
        }
      });
      return { sizeBytes, parts, etag: result.ETag };
    },

    async getStream(key) {
      const out = await call(`download of ${key}`, () => client.send(new GetObjectCommand({ Bucket, Key: key })));
      if (!(out.Body instanceof Readable))
        throw new AppError("INTERNAL", `download of ${key} from ${name} returned no stream`);
      if (!config.encryptionKey) return out.Body;
      const plain = decryptingIfSealed(config.encryptionKey);
      out.Body.once("error", (err) => plain.destroy(err));
      return out.Body.pipe(plain);
    },

    async head(key) {
      const out = await call(`metadata of ${key}`, () => client.send(new HeadObjectCommand({ Bucket, Key: key })));
      return {
        key,
        sizeBytes: out.ContentLength ?? 0,
        lastModified: out.LastModified,
        etag: out.ETag,
        contentType: out.ContentType,
      };
    },

    async list(prefix) {
      const objects: ObjectInfo[] = [];
      let token: string | undefined;
      do {
        const page = await call(`listing of ${prefix}`, () =>
          client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token })),
        );
        for (const o of page.Contents ?? [])
          if (o.Key) objects.push({ key: o.Key, sizeBytes: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return objects;
    },

    async deletePrefix(prefix) {
      // an empty prefix would mean the whole bucket: never what a caller deleting one snapshot wants
      if (!prefix) throw new AppError("INVALID", "prefix: must not be empty when deleting objects");
      const keys = (await this.list(prefix)).map((o) => o.key);
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        const out = await call(`deletion under ${prefix}`, () =>
          client.send(
            new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
          ),
        );
        const failed = out.Errors ?? [];
        if (failed.length)
          throw new AppError(
            "UNAVAILABLE",
            `${name} could not delete ${failed.length} object(s) under ${prefix} (${failed[0].Code ?? "unknown"})`,
          );
      }
      return keys.length;
    },

    destroy: () => client.destroy(),
  };
}
