/**
 * The zero-setup S3 store, so snapshots work without any configuration: s3rver keeps the objects under `dataDir`
 * (the app uses `./.data/s3`), behind a front that takes only requests signed with AWS Signature Version 4 by the
 * store's key (./s3-front.ts). Each start gets a fresh random key pair.
 *
 * It runs in a child process of its own (./supervise.ts): a crash there is logged and the store started again on
 * the same address with the same key, while the database, the simulated host and the web server go on. The
 * launcher holds the port, so it stays the store's while the child restarts.
 *
 * Inside the child, s3rver listens only on a Unix socket in a directory of mode 0700 that the launcher made (a named
 * pipe on Windows): s3rver lets unsigned requests through as anonymous, so nothing but the front may reach it.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import S3rver, { type S3rverMiddleware } from "s3rver";
import { createS3Front, DEFAULT_MAX_BODY_BYTES } from "./s3-front";
import { supervise } from "./supervise";

export const EMBEDDED_S3_REGION = "us-east-1";
export const EMBEDDED_S3_BUCKET = "open-vcluster-snapshots";

export interface EmbeddedS3Options {
  dataDir: string;
  /** 0 or unset: a free port */
  port?: number;
  bucket?: string;
  /** the largest request body the store takes (default 64 MiB: the adapter's parts are 8 MiB) */
  maxBodyBytes?: number;
  /** where restarts are reported (default: stderr) */
  log?: (line: string) => void;
}

export interface EmbeddedS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
  /** the child process serving the store, undefined while it restarts */
  pid(): number | undefined;
  /** how many times the child was started again */
  restarts(): number;
  stop(): Promise<void>;
}

/** what the launcher sends the store's child */
export interface EmbeddedS3Config {
  directory: string;
  /** the launcher's directory (mode 0700) for s3rver's socket, kept across restarts and removed on stop */
  socketDir: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  maxBodyBytes: number;
}

const UPLOAD_ID = /^[0-9a-f]{16,64}$/;

/**
 * s3rver 3.7 does not implement AbortMultipartUpload: it answers 405 and keeps the parts on disk, so an upload that
 * failed midway would leave them behind. This completes the operation (which the front has authenticated) by
 * removing the upload's part directory.
 */
function abortMultipartUpload(s3: S3rver): S3rverMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const uploadId = ctx.query.uploadId;
      const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
      const bucket = ctx.path.split("/")[1] ?? "";
      if (
        ctx.method !== "DELETE" ||
        code !== "MethodNotAllowed" ||
        typeof uploadId !== "string" ||
        !UPLOAD_ID.test(uploadId) ||
        !bucket ||
        bucket.includes("..")
      )
        throw err;
      await rm(path.join(s3.store.getResourcePath(bucket, undefined, "uploads"), uploadId), {
        recursive: true,
        force: true,
      });
      ctx.status = 204;
      ctx.body = null;
    }
  };
}

/** The store inside its process: s3rver on a private socket and the front, which is given connections to serve. */
export async function serveEmbeddedS3(
  config: EmbeddedS3Config,
): Promise<{ front: http.Server; close(): Promise<void> }> {
  await mkdir(config.directory, { recursive: true });
  const socketPath =
    process.platform === "win32"
      ? `\\\\?\\pipe\\ovc-s3-${randomBytes(16).toString("hex")}`
      : path.join(config.socketDir, "s3rver.sock");
  // the socket of a predecessor that was killed
  if (process.platform !== "win32") await rm(socketPath, { force: true });
  const s3 = new S3rver({
    silent: true,
    directory: config.directory,
    vhostBuckets: false,
    configureBuckets: [{ name: config.bucket }],
  });
  s3.middleware.unshift(abortMultipartUpload(s3));
  await s3.configureBuckets();
  const internal = http.createServer(s3.callback());
  await new Promise<void>((resolve, reject) => {
    internal.once("error", reject);
    internal.listen(socketPath, () => resolve());
  });
  const front = createS3Front({
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, region: config.region },
    upstreamSocket: socketPath,
    maxBodyBytes: config.maxBodyBytes,
  });
  return {
    front,
    async close() {
      front.closeAllConnections();
      const closing = new Promise<void>((resolve) => internal.close(() => resolve()));
      internal.closeAllConnections();
      await closing;
    },
  };
}

export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  // mkdtemp makes the directory 0700: only this user may open the socket inside
  const socketDir = await mkdtemp(path.join(tmpdir(), "ovc-s3-"));
  const config: EmbeddedS3Config = {
    directory: path.resolve(options.dataDir),
    socketDir,
    bucket: options.bucket ?? EMBEDDED_S3_BUCKET,
    accessKeyId: `OVC${randomBytes(16).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
    region: EMBEDDED_S3_REGION,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  const child = await supervise({
    name: "embedded S3 store",
    entry: fileURLToPath(new URL("./embedded-s3-child.ts", import.meta.url)),
    config: () => config,
    ready: (message) =>
      typeof message === "object" && message !== null && "type" in message && message.type === "ready" ? true : null,
    hold: { host: "127.0.0.1", port: options.port ?? 0 },
    log: options.log,
  }).catch(async (error: unknown) => {
    await rm(socketDir, { recursive: true, force: true });
    throw error;
  });
  return {
    endpoint: `http://127.0.0.1:${child.port}`,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    region: config.region,
    bucket: config.bucket,
    pid: () => child.pid(),
    restarts: () => child.restarts(),
    async stop() {
      await child.stop();
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}
