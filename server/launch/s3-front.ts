/**
 * The embedded S3 store's front: every request is refused unless it is signed with the store's key (./sigv4.ts),
 * is one of the operations the snapshot adapter performs (server/adapters/s3/object-store.ts), and its body is
 * complete, within bounds and the one the signature covers. Only then does it reach s3rver, which listens on a
 * socket no other user can open (./embedded-s3.ts).
 *
 * s3rver's own authentication lets unsigned requests through as anonymous and never checks a SigV4 signature, and
 * its POST-object (HTML form upload) route hands the body to busboy/dicer, which one malformed multipart header
 * crashes (CVE-2022-24434, https://github.com/advisories/GHSA-wm7h-9275-46v2, unfixed in every dicer release: a
 * part header line starting with a space, https://github.com/mscdex/dicer/pull/22). That route is not an operation
 * the app uses, so no request reaches it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { verifySignature, type Refusal, type StoreCredentials } from "./sigv4";

export interface S3FrontOptions {
  credentials: StoreCredentials;
  /** where s3rver listens: a Unix socket (a named pipe on Windows) */
  upstreamSocket: string;
  /** the largest body taken; the adapter's parts are 8 MiB by default */
  maxBodyBytes: number;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** how long a request may take to send its body, and a connection may sit idle */
const BODY_TIMEOUT_MS = 120_000;
const IDLE_TIMEOUT_MS = 60_000;

/** query parameters of the operations the adapter uses (`x-id` is the SDK's operation name, informational) */
const KNOWN_QUERY = new Set([
  "x-id",
  "list-type",
  "prefix",
  "continuation-token",
  "delimiter",
  "max-keys",
  "start-after",
  "encoding-type",
  "fetch-owner",
  "uploads",
  "uploadId",
  "partNumber",
  "delete",
]);
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** connection-level headers: the front's connection to s3rver has its own */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-authorization",
  "proxy-authenticate",
  "content-length",
]);

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** a refused request's body up to this size is read and dropped, so the answer arrives on a connection still open */
const DRAIN_LIMIT = 1024 * 1024;

function sendRefusal(req: IncomingMessage, res: ServerResponse, refusal: Refusal, expectsContinue = false): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${xmlEscape(refusal.message)}</Message></Error>`;
  const answer = (close: boolean) => {
    res.writeHead(refusal.status, {
      "content-type": "application/xml",
      "content-length": Buffer.byteLength(body),
      ...(close ? { connection: "close" } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  // A client waiting for 100-continue sends nothing more; a large body is not worth reading to keep the connection.
  if (
    req.complete ||
    expectsContinue ||
    req.headers["transfer-encoding"] !== undefined ||
    Number(req.headers["content-length"] ?? 0) > DRAIN_LIMIT
  )
    return answer(!req.complete);
  const timer = setTimeout(() => req.destroy(), BODY_TIMEOUT_MS);
  req.once("end", () => {
    clearTimeout(timer);
    answer(false);
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

/** The operations object-store.ts performs, by method, bucket or object, and subresource; null when it is one. */
function refuseShape(req: IncomingMessage): Refusal | null {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  const names = new Set(params.keys());
  const [bucket = "", ...rest] = (q < 0 ? url : url.slice(0, q)).slice(1).split("/");
  const onObject = rest.join("/") !== "";
  const has = (name: string) => names.has(name);
  const only = (...allowed: string[]) => [...names].every((n) => n === "x-id" || allowed.includes(n));
  const notAllowed: Refusal = {
    status: 405,
    code: "MethodNotAllowed",
    message: `${req.method} with this resource and these parameters is not an operation the embedded store offers`,
  };

  if ([...names].some((n) => !KNOWN_QUERY.has(n))) return notAllowed;
  if (!BUCKET_NAME.test(bucket))
    return { status: 400, code: "InvalidBucketName", message: "the request must name a bucket" };
  // never a form upload: multipart/form-data is what reaches busboy and dicer
  if (/^multipart\//i.test(String(req.headers["content-type"] ?? "")))
    return { status: 400, code: "InvalidRequest", message: "multipart/form-data bodies are not accepted" };
  if (req.headers["content-encoding"]?.toLowerCase().includes("aws-chunked"))
    return { status: 400, code: "InvalidRequest", message: "aws-chunked bodies are not accepted" };
  if (req.headers["x-amz-copy-source"] !== undefined) return notAllowed;
  const ok = (() => {
    if (!onObject) {
      switch (req.method) {
        case "HEAD": // HeadBucket
        case "PUT": // CreateBucket
          return only();
        case "GET": // ListObjectsV2
          return (
            params.get("list-type") === "2" &&
            only(
              "list-type",
              "prefix",
              "continuation-token",
              "delimiter",
              "max-keys",
              "start-after",
              "encoding-type",
              "fetch-owner",
            )
          );
        case "POST": // DeleteObjects; a POST without ?delete is the form upload
          return has("delete") && only("delete");
        default:
          return false;
      }
    }
    switch (req.method) {
      case "GET": // GetObject
      case "HEAD": // HeadObject
        return only();
      case "PUT": // PutObject, UploadPart
        return only() || (has("partNumber") && has("uploadId") && only("partNumber", "uploadId"));
      case "POST": // CreateMultipartUpload, CompleteMultipartUpload
        return (has("uploads") && only("uploads")) || (has("uploadId") && only("uploadId"));
      case "DELETE": // DeleteObject, AbortMultipartUpload
        return only() || (has("uploadId") && only("uploadId"));
      default:
        return false;
    }
  })();
  return ok ? null : notAllowed;
}

/** Bodies must say their length, within the limit, before any of them is read. */
function refuseFraming(req: IncomingMessage, maxBodyBytes: number): Refusal | null {
  if (req.headers["transfer-encoding"] !== undefined)
    return { status: 411, code: "MissingContentLength", message: "send the body with a Content-Length" };
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBodyBytes)
    return {
      status: 400,
      code: "EntityTooLarge",
      message: `the body is ${declared} bytes; the embedded store takes at most ${maxBodyBytes}`,
    };
  return null;
}

/** The body, whole, when it is the one the signature covers. */
function readBody(req: IncomingMessage, payloadHash: string): Promise<Buffer | Refusal> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const hash = createHash("sha256");
    const timer = setTimeout(() => req.destroy(), BODY_TIMEOUT_MS);
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      hash.update(chunk);
    });
    req.once("error", () => undefined);
    req.once("close", () => {
      clearTimeout(timer);
      if (!req.complete)
        resolve({ status: 400, code: "IncompleteBody", message: "the connection ended before the body did" });
    });
    req.once("end", () => {
      clearTimeout(timer);
      const body = Buffer.concat(chunks);
      const actual = Buffer.from(hash.digest("hex"));
      // Buffering first means a body that does not match its signature is never written, not even in part.
      resolve(
        timingSafeEqual(actual, Buffer.from(payloadHash))
          ? body
          : {
              status: 400,
              code: "XAmzContentSHA256Mismatch",
              message: "the body's SHA-256 is not the x-amz-content-sha256 the request was signed with",
            },
      );
    });
  });
}

/** The front as an HTTP server that is not listening: the process running it feeds it connections. */
export function createS3Front(options: S3FrontOptions): http.Server {
  const handle = async (req: IncomingMessage, res: ServerResponse, continued: boolean): Promise<void> => {
    const verified = await verifySignature(
      { method: req.method ?? "", url: req.url ?? "", headers: req.headers },
      options.credentials,
    );
    if ("status" in verified) return sendRefusal(req, res, verified, continued);
    const shape = refuseShape(req);
    if (shape) return sendRefusal(req, res, shape, continued);
    const framing = refuseFraming(req, options.maxBodyBytes);
    if (framing) return sendRefusal(req, res, framing, continued);
    // only now is the client told to send the body it announced with Expect: 100-continue
    if (continued) res.writeContinue();
    const body = await readBody(req, verified.payloadHash);
    if (!Buffer.isBuffer(body)) return sendRefusal(req, res, body);

    // only what the signature covers goes on: an unsigned header could change what s3rver does
    const headers: Record<string, string | string[]> = { "content-length": String(body.length) };
    for (const name of verified.signedHeaders) {
      const value = req.headers[name];
      if (value !== undefined && !HOP_BY_HOP.has(name) && name !== "authorization") headers[name] = value;
    }
    const upstream = http.request(
      { socketPath: options.upstreamSocket, method: req.method, path: req.url, headers },
      (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        if (answer.headers["content-length"] !== undefined) out["content-length"] = answer.headers["content-length"];
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.once("error", () => res.destroy());
      },
    );
    upstream.once("error", () =>
      sendRefusal(req, res, {
        status: 503,
        code: "ServiceUnavailable",
        message: "the embedded store is not answering",
      }),
    );
    res.once("close", () => upstream.destroy());
    upstream.end(body);
  };
  const serve = (continued: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, continued).catch(() =>
      sendRefusal(req, res, {
        status: 500,
        code: "InternalError",
        message: "the embedded store failed on this request",
      }),
    );
  };
  const server = http.createServer({ maxHeaderSize: 16 * 1024 });
  server.timeout = IDLE_TIMEOUT_MS;
  server.on("request", serve(false));
  server.on("checkContinue", serve(true));
  server.on("clientError", (_err, socket) => socket.destroy());
  return server;
}
