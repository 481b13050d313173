/**
 * Checks AWS Signature Version 4 on requests to the embedded S3 store
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, and for S3's own rules
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 *
 * The expected signature is recomputed by `@smithy/signature-v4`, the signer the AWS SDK itself uses, over the
 * request as it arrived; only the headers the client listed in SignedHeaders go into it, so anything added on the
 * way is outside the signature (and the front does not forward it). Only header-signed requests with the body's
 * real SHA-256 are accepted: that is all `@aws-sdk/client-s3` sends to an http:// endpoint (it hashes every body it
 * sends, parts included), and it keeps a request from being replayed with another body. Presigned URLs, unsigned
 * and streaming (aws-chunked) payloads are refused: the app uses none of them.
 */
import { createHash, createHmac, timingSafeEqual, type BinaryLike, type Hash, type Hmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";

/** SHA-256 (an HMAC when given a key) from node:crypto, in the shape the signer takes for its hashing. */
export class Sha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash("sha256");
    const key: BinaryLike =
      typeof this.secret === "string"
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : new Uint8Array(this.secret);
    return createHmac("sha256", key);
  }

  update(chunk: Uint8Array | string): void {
    this.hash.update(chunk);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

export interface StoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** An S3 error answer: status and the `<Code>` S3 itself uses for the case. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export interface Verified {
  /** lower-cased, as listed in the Authorization header */
  signedHeaders: string[];
  /** the body's SHA-256 (hex) the signature covers */
  payloadHash: string;
}

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** S3 refuses header-signed requests whose X-Amz-Date is more than 15 minutes off (RequestTimeTooSkewed). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;!#$%&'*+.^_`|~-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** what query authentication (presigned URLs, SigV2 or V4) is carried in */
const QUERY_AUTH = /^(x-amz-|signature$|awsaccesskeyid$|expires$)/i;

const refuse = (status: number, code: string, message: string): Refusal => ({ status, code, message });

function parseAmzDate(value: string): Date | null {
  const m = AMZ_DATE.exec(value);
  if (!m) return null;
  const date = new Date(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
  );
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The query as the signer canonicalises it: names and values decoded (it re-encodes them per RFC 3986). */
export function parseQuery(raw: string): Record<string, string | string[]> | null {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = decodeURIComponent(eq < 0 ? "" : pair.slice(eq + 1));
    } catch {
      return null;
    }
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether `req` carries a valid header signature by `credentials`, judged on its method, target and headers (the
 * body is checked against the returned payload hash as it is read).
 */
export async function verifySignature(
  req: { method: string; url: string; headers: IncomingHttpHeaders },
  credentials: StoreCredentials,
  now: number = Date.now(),
): Promise<Verified | Refusal> {
  if (!req.url.startsWith("/")) return refuse(400, "InvalidURI", "the request target must be a path");
  const q = req.url.indexOf("?");
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = parseQuery(q < 0 ? "" : req.url.slice(q + 1));
  if (!query) return refuse(400, "InvalidURI", "the query string is not valid percent-encoding");
  if (Object.keys(query).some((name) => QUERY_AUTH.test(name)))
    return refuse(
      403,
      "AccessDenied",
      "query-string authentication (presigned URLs) is not accepted by the embedded store",
    );

  const authorization = headerValue(req.headers, "authorization");
  if (!authorization)
    return refuse(403, "AccessDenied", "anonymous requests are not accepted: sign them with AWS Signature Version 4");
  const auth = AUTHORIZATION.exec(authorization);
  if (!auth)
    return refuse(
      400,
      "AuthorizationHeaderMalformed",
      "the Authorization header is not an AWS4-HMAC-SHA256 header signature",
    );
  const [, accessKeyId, scopeDate, region, service, signedList, signature] = auth;
  if (accessKeyId !== credentials.accessKeyId)
    return refuse(403, "InvalidAccessKeyId", "the access key id does not exist in the embedded store");
  if (region !== credentials.region || service !== "s3")
    return refuse(
      400,
      "AuthorizationHeaderMalformed",
      `the credential scope must name region ${credentials.region} and service s3`,
    );

  const signedHeaders = signedList.split(";");
  // the spec requires host; x-amz-date and x-amz-content-sha256 are what bind the signature to a time and a body
  for (const required of ["host", "x-amz-date", "x-amz-content-sha256"]) {
    if (!signedHeaders.includes(required))
      return refuse(403, "AccessDenied", `the signature must cover the ${required} header`);
  }
  if ([...signedHeaders].sort().join(";") !== signedList || new Set(signedHeaders).size !== signedHeaders.length) {
    return refuse(400, "AuthorizationHeaderMalformed", "SignedHeaders must be sorted and without repeats");
  }
  const amzDate = headerValue(req.headers, "x-amz-date") ?? "";
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || amzDate.slice(0, 8) !== scopeDate)
    return refuse(403, "AccessDenied", "X-Amz-Date must be yyyyMMddTHHmmssZ and on the credential scope's date");
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS)
    return refuse(
      403,
      "RequestTimeTooSkewed",
      "the difference between the request time and the current time is too large",
    );
  const payloadHash = headerValue(req.headers, "x-amz-content-sha256") ?? "";
  if (!SHA256_HEX.test(payloadHash))
    return refuse(
      400,
      "InvalidRequest",
      "x-amz-content-sha256 must be the body's SHA-256; unsigned and streaming payloads are not accepted",
    );

  // as S3 does: an x-amz-* header changes what the operation does, so it must be signed
  const unsigned = Object.keys(req.headers).find((name) => name.startsWith("x-amz-") && !signedHeaders.includes(name));
  if (unsigned) return refuse(403, "AccessDenied", `the header ${unsigned} is present but not signed`);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headerValue(req.headers, name);
    if (value === undefined) return refuse(403, "SignatureDoesNotMatch", `the signed header ${name} is missing`);
    headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials,
    region: credentials.region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
  const expected = await signer.sign(
    { method: req.method, protocol: "http:", hostname: headers.host, path, query, headers },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const computed = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? "";
  if (!sameHex(computed, signature))
    return refuse(
      403,
      "SignatureDoesNotMatch",
      "the request signature we calculated does not match the signature you provided",
    );
  return { signedHeaders, payloadHash };
}
