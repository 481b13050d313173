/**
 * The zero-setup S3 store: s3rver on 127.0.0.1 with its data under `dataDir` (the app uses `./.data/s3`), so
 * snapshots work without any configuration. Each start gets a fresh random key pair and the library's well-known
 * default key is revoked. s3rver 3.7 checks the access key id of SigV4 requests but not their signature, so the key
 * id carries 128 random bits: with the listener on 127.0.0.1 only, it is what keeps other local users out.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import S3rver, { type S3rverMiddleware } from "s3rver";
import account from "s3rver/lib/models/account.js";

export const EMBEDDED_S3_REGION = "us-east-1";
export const EMBEDDED_S3_BUCKET = "open-vcluster-snapshots";

export interface EmbeddedS3Options {
  dataDir: string;
  /** 0 or unset: a free port */
  port?: number;
  bucket?: string;
}

export interface EmbeddedS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
  stop(): Promise<void>;
}

const UPLOAD_ID = /^[0-9a-f]{16,64}$/;

/**
 * s3rver 3.7 does not implement AbortMultipartUpload: it answers 405 and keeps the parts on disk, so an upload that
 * failed midway would leave them behind. This completes the operation after the router has authenticated the
 * request (an unauthenticated request fails before the 405), by removing the upload's part directory.
 */
function abortMultipartUpload(s3: S3rver): S3rverMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const uploadId = ctx.query.uploadId;
      const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
      const bucket = ctx.path.split("/")[1] ?? "";
      if (ctx.method !== "DELETE" || code !== "MethodNotAllowed" || typeof uploadId !== "string" || !UPLOAD_ID.test(uploadId) || !bucket || bucket.includes("..")) throw err;
      await rm(path.join(s3.store.getResourcePath(bucket, undefined, "uploads"), uploadId), { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = null;
    }
  };
}

export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const bucket = options.bucket ?? EMBEDDED_S3_BUCKET;
  const directory = path.resolve(options.dataDir);
  await mkdir(directory, { recursive: true });
  const accessKeyId = `OVC${randomBytes(16).toString("hex").toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString("base64url");
  account.DUMMY_ACCOUNT.revokeAccessKey("S3RVER");
  account.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const s3 = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  s3.middleware.unshift(abortMultipartUpload(s3));
  const address = await s3.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    accessKeyId,
    secretAccessKey,
    region: EMBEDDED_S3_REGION,
    bucket,
    async stop() {
      account.DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
      const closing = s3.close();
      // SDK clients keep connections alive; without this, close would wait for them to time out
      s3.httpServer?.closeAllConnections();
      await closing;
    },
  };
}
