/**
 * Attacks on the embedded S3 store over HTTP, as another local user could make them: each must be refused, leave
 * the objects as they were (checked through a properly signed client afterwards), and leave the store serving.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/universal/errors";
import { createObjectStore, type ObjectStore } from "@/server/adapters/s3/object-store";
import { startEmbeddedS3, type EmbeddedS3 } from "./embedded-s3";
import { parseQuery, Sha256 } from "./sigv4";

const MiB = 1024 * 1024;
const VICTIM = "team-a/vc1/snap1/secrets.ndjson";
const VICTIM_BODY = '{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}\n';

let dataDir: string;
let s3: EmbeddedS3;
let store: ObjectStore;
let port: number;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on its own connection, exactly as given: no SDK in between. */
function raw(
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const framed = body && options.headers?.["transfer-encoding"] === undefined;
    const headers: Record<string, string> = {
      ...(framed ? { "content-length": String(body.length) } : {}),
      ...options.headers,
    };
    const req = http.request({ host: "127.0.0.1", port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** The headers a SigV4 client sends for this request (the AWS SDK's own signer). */
async function signedHeaders(
  method: string,
  target: string,
  options: {
    body?: string | Buffer;
    headers?: Record<string, string>;
    secret?: string;
    accessKeyId?: string;
    date?: Date;
  } = {},
): Promise<Record<string, string>> {
  const q = target.indexOf("?");
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? s3.accessKeyId,
      secretAccessKey: options.secret ?? s3.secretAccessKey,
    },
    region: s3.region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
  const body = options.body ?? "";
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    "x-amz-content-sha256": sha256(body),
    ...(body.length ? { "content-length": String(Buffer.byteLength(body)) } : {}),
    ...options.headers,
  };
  const signed = await signer.sign(
    {
      method,
      protocol: "http:",
      hostname: "127.0.0.1",
      port,
      path: q < 0 ? target : target.slice(0, q),
      query: parseQuery(q < 0 ? "" : target.slice(q + 1)) ?? {},
      headers,
    },
    { signingDate: options.date ?? new Date() },
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a signed client sees: the victim unchanged and nothing else. */
async function expectUntouched(): Promise<void> {
  expect((await readAll(await store.getStream(VICTIM))).toString("utf8")).toBe(VICTIM_BODY);
  expect((await store.list("")).map((o) => o.key)).toEqual([VICTIM]);
}

const bucketPath = () => `/${s3.bucket}`;
const objectPath = (key: string) => `/${s3.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "ovc-s3-attacks-"));
  s3 = await startEmbeddedS3({ dataDir, log: () => undefined });
  port = Number(new URL(s3.endpoint).port);
  store = createObjectStore({
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
    partSize: 5 * MiB,
  });
  await store.ensureBucket();
  await store.putStream(VICTIM, Readable.from([Buffer.from(VICTIM_BODY)]), { contentType: "application/x-ndjson" });
});
afterAll(async () => {
  store?.destroy();
  await s3?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the embedded S3 store refuses", () => {
  it("unsigned list, get, head, put and delete with 403, and nothing is read, written or deleted", async () => {
    const list = await raw("GET", `${bucketPath()}/?list-type=2`);
    expect(list.status).toBe(403);
    expect(list.body).toContain("<Code>AccessDenied</Code>");
    expect(list.body).not.toContain("secrets.ndjson");
    const get = await raw("GET", objectPath(VICTIM));
    expect(get.status).toBe(403);
    expect(get.body).not.toContain("password");
    expect((await raw("HEAD", objectPath(VICTIM))).status).toBe(403);
    expect(
      (await raw("PUT", objectPath(VICTIM), { body: "overwritten", headers: { "content-type": "text/plain" } })).status,
    ).toBe(403);
    expect((await raw("PUT", objectPath("planted/object"), { body: "planted" })).status).toBe(403);
    expect((await raw("DELETE", objectPath(VICTIM))).status).toBe(403);
    const deleteMany = `<Delete><Object><Key>${VICTIM}</Key></Object><Quiet>true</Quiet></Delete>`;
    expect(
      (
        await raw("POST", `${bucketPath()}/?delete=`, {
          body: deleteMany,
          headers: { "content-type": "application/xml" },
        })
      ).status,
    ).toBe(403);
    expect((await raw("POST", `${objectPath("planted/big")}?uploads=`)).status).toBe(403);
    // s3rver took an Authorization header naming a known key id with any signature; it is the signature that counts now
    const now = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
    const forged = `AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/${now.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${"0".repeat(64)}`;
    const forgedDelete = await raw("DELETE", objectPath(VICTIM), {
      headers: { authorization: forged, "x-amz-date": now, "x-amz-content-sha256": sha256("") },
    });
    expect(forgedDelete).toMatchObject({
      status: 403,
      body: expect.stringContaining("<Code>SignatureDoesNotMatch</Code>"),
    });
    await expectUntouched();
  });

  it("a request signed with the store's key id but another secret, or with s3rver's well-known default key", async () => {
    const wrongSecret = createObjectStore({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: "not-the-secret",
      forcePathStyle: true,
    });
    await expect(wrongSecret.list("")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      wrongSecret.putStream("planted/by-wrong-secret", Readable.from([Buffer.from("x")]), {
        contentType: "text/plain",
      }),
    ).rejects.toBeInstanceOf(AppError);
    await expect(wrongSecret.deletePrefix("team-a/")).rejects.toMatchObject({ code: "FORBIDDEN" });
    wrongSecret.destroy();
    const answer = await raw("DELETE", objectPath(VICTIM), {
      headers: await signedHeaders("DELETE", objectPath(VICTIM), { secret: "not-the-secret" }),
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("<Code>SignatureDoesNotMatch</Code>");

    const defaultKey = createObjectStore({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    });
    await expect(defaultKey.list("")).rejects.toMatchObject({ code: "FORBIDDEN" });
    defaultKey.destroy();
    await expectUntouched();
  });

  it("a signed request changed after signing: its body, a header, its path, its method or an added x-amz header", async () => {
    const target = objectPath(VICTIM);
    // same length, other content: only the payload hash tells them apart
    const signedPut = await signedHeaders("PUT", target, { body: "AAAA", headers: { "content-type": "text/plain" } });
    const body = await raw("PUT", target, { headers: signedPut, body: "BBBB" });
    expect(body.status).toBe(400);
    expect(body.body).toContain("<Code>XAmzContentSHA256Mismatch</Code>");

    const header = await raw("PUT", target, {
      headers: { ...signedPut, "content-type": "application/json" },
      body: "AAAA",
    });
    expect(header).toMatchObject({ status: 403, body: expect.stringContaining("<Code>SignatureDoesNotMatch</Code>") });

    const signedGet = await signedHeaders("GET", objectPath("team-a/public.txt"));
    const otherPath = await raw("GET", target, { headers: signedGet });
    expect(otherPath.status).toBe(403);
    expect(otherPath.body).not.toContain("password");

    const signedHead = await signedHeaders("HEAD", target);
    expect((await raw("DELETE", target, { headers: signedHead })).status).toBe(403);

    const added = await raw("PUT", target, {
      headers: { ...signedPut, "x-amz-copy-source": `${s3.bucket}/${VICTIM}`, "x-amz-meta-owner": "mallory" },
      body: "AAAA",
    });
    expect(added).toMatchObject({ status: 403, body: expect.stringContaining("not signed") });

    const signedList = await signedHeaders("GET", `${bucketPath()}/?list-type=2&prefix=team-b%2F`);
    expect((await raw("GET", `${bucketPath()}/?list-type=2&prefix=team-a%2F`, { headers: signedList })).status).toBe(
      403,
    );
    await expectUntouched();
  });

  it("an X-Amz-Date more than 15 minutes off, and a presigned URL", async () => {
    const target = objectPath(VICTIM);
    const stale = await raw("DELETE", target, {
      headers: await signedHeaders("DELETE", target, { date: new Date(Date.now() - 16 * 60_000) }),
    });
    expect(stale).toMatchObject({ status: 403, body: expect.stringContaining("<Code>RequestTimeTooSkewed</Code>") });
    const ahead = await raw("DELETE", target, {
      headers: await signedHeaders("DELETE", target, { date: new Date(Date.now() + 16 * 60_000) }),
    });
    expect(ahead.status).toBe(403);

    const signer = new SignatureV4({
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      region: s3.region,
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    });
    const presigned = await signer.presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        port,
        path: target,
        query: {},
        headers: { host: `127.0.0.1:${port}` },
      },
      { expiresIn: 600 },
    );
    const query = new URLSearchParams(Object.entries(presigned.query ?? {}).map(([k, v]) => [k, String(v)])).toString();
    const answer = await raw("GET", `${target}?${query}`);
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain("password");
    await expectUntouched();
  });

  it("operations the app never uses, bodies over the limit and bodies without a length, signed or not", async () => {
    const refusedShapes: [string, string][] = [
      ["GET", "/"], // ListBuckets
      ["DELETE", `${bucketPath()}/`], // DeleteBucket
      ["PUT", `${objectPath(VICTIM)}?acl=`],
      ["GET", `${bucketPath()}/?uploads=`],
      ["GET", `${objectPath(VICTIM)}?uploadId=0123456789abcdef`], // ListParts
    ];
    for (const [method, target] of refusedShapes) {
      const answer = await raw(method, target, { headers: await signedHeaders(method, target) });
      expect([400, 405], `${method} ${target}`).toContain(answer.status);
    }
    const copy = await raw("PUT", objectPath("team-a/copy"), {
      headers: await signedHeaders("PUT", objectPath("team-a/copy"), {
        headers: { "x-amz-copy-source": `/${s3.bucket}/${VICTIM}` },
      }),
    });
    expect(copy.status).toBe(405);

    // announced with Expect: 100-continue, as the SDK sends parts: refused before a byte of the body is sent
    const huge = await new Promise<number>((resolve, reject) => {
      void signedHeaders("PUT", objectPath("team-a/huge"), {
        headers: { "content-length": String(65 * MiB), expect: "100-continue" },
      }).then((headers) => {
        const req = http.request(
          { host: "127.0.0.1", port, method: "PUT", path: objectPath("team-a/huge"), headers, agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("continue", () => reject(new Error("the store asked for the body")));
        req.on("error", reject);
        req.flushHeaders();
      });
    });
    expect(huge).toBe(400);

    const chunkedHeaders = await signedHeaders("PUT", objectPath("team-a/chunked"), {
      headers: { "transfer-encoding": "chunked" },
    });
    const chunked = await raw("PUT", objectPath("team-a/chunked"), { headers: chunkedHeaders, body: "0123" });
    expect(chunked.status).toBe(411);
    await expectUntouched();
  });
});

describe("malformed requests", () => {
  /** bytes as they are, on a connection of their own; resolves with what came back (if anything) */
  function sendBytes(bytes: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.end(bytes));
      let answer = "";
      socket.on("data", (c: Buffer) => (answer += c.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(answer));
      socket.setTimeout(5_000, () => socket.destroy());
    });
  }

  it("garbage, broken framing, bad encodings and malformed signatures are refused and the store keeps its process", async () => {
    const pid = s3.pid();
    const now = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
    const sloppy = [
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
      "GET /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      `GET http://127.0.0.1:${port}/${"a".repeat(10)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /${"x".repeat(40_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      "PUT /open-vcluster-snapshots/k HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
    ];
    for (const bytes of sloppy) {
      const answer = await sendBytes(bytes);
      expect(answer === "" || /^HTTP\/1\.1 4\d\d/.test(answer), JSON.stringify(bytes.slice(0, 40))).toBe(true);
    }
    const malformed: [string, Record<string, string>][] = [
      [`${bucketPath()}/%E0%A4%A?list-type=2`, {}],
      [`${bucketPath()}/?list-type=2&prefix=%ZZ`, {}],
      [objectPath(VICTIM), { authorization: "AWS4-HMAC-SHA256" }],
      [objectPath(VICTIM), { authorization: "AWS AKIDEXAMPLE:c2lnbmF0dXJl" }],
      [
        objectPath(VICTIM),
        {
          authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/${now.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date;host;host;x-amz-content-sha256, Signature=${"a".repeat(64)}`,
          "x-amz-date": now,
          "x-amz-content-sha256": sha256(""),
        },
      ],
      [
        objectPath(VICTIM),
        {
          authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/${now.slice(0, 8)}/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${"a".repeat(64)}`,
          "x-amz-date": now,
          "x-amz-content-sha256": sha256(""),
        },
      ],
      [
        objectPath(VICTIM),
        {
          authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/${now.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${"a".repeat(64)}`,
          "x-amz-date": "yesterday",
          "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        },
      ],
      [`${objectPath(VICTIM)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${s3.accessKeyId}`, {}],
    ];
    for (const [target, headers] of malformed) {
      const answer = await raw("GET", target, { headers });
      expect([400, 403], target).toContain(answer.status);
      expect(answer.body).not.toContain("password");
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(s3.pid()).toBe(pid);
    expect(s3.restarts()).toBe(0);
    await expectUntouched();
  });
});

describe("a malformed multipart/form-data POST (dicer's CVE-2022-24434)", () => {
  // a part header line that starts with a space: https://github.com/mscdex/dicer/pull/22
  const boundary = "----WebKitFormBoundaryoo6vortfDzBsDiro";
  const payload = `--${boundary}\r\n Content-Disposition: form-data; name="key"\r\n\r\n\r\n--${boundary}--`;
  const form = { "content-type": `multipart/form-data; boundary=${boundary}` };

  it("crashes bare s3rver 3.7.1, as the launcher ran it before", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ovc-s3-bare-"));
    const script = `const S3rver = require("s3rver");
      new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: ${JSON.stringify(dir)}, vhostBuckets: false, configureBuckets: [{ name: "b" }] })
        .run().then((a) => console.log(a.port));`;
    const bare = spawn(process.execPath, ["-e", script], { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    bare.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const barePort = await new Promise<number>((resolve) =>
      bare.stdout.once("data", (c: Buffer) => resolve(Number(c.toString().trim()))),
    );
    const exited = new Promise<number | null>((resolve) => bare.once("exit", (code) => resolve(code)));
    const req = http.request({
      host: "127.0.0.1",
      port: barePort,
      method: "POST",
      path: "/b",
      headers: { ...form, "content-length": Buffer.byteLength(payload) },
      agent: false,
    });
    req.on("error", () => undefined);
    req.end(payload);
    expect(await exited).not.toBe(0);
    expect(stderr).toContain("HeaderParser");
    await rm(dir, { recursive: true, force: true });
  });

  it("is refused by the embedded store, unsigned or signed, which keeps serving in the same process", async () => {
    const pid = s3.pid();
    const unsigned = await raw("POST", bucketPath(), { headers: form, body: payload });
    expect(unsigned.status).toBe(403);
    const signed = await raw("POST", bucketPath(), {
      headers: await signedHeaders("POST", bucketPath(), { body: payload, headers: form }),
      body: payload,
    });
    expect(signed.status).toBe(400);
    // the same form to an operation the app does use
    const onDelete = await raw("POST", `${bucketPath()}/?delete=`, {
      headers: await signedHeaders("POST", `${bucketPath()}/?delete=`, { body: payload, headers: form }),
      body: payload,
    });
    expect(onDelete.status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    expect(s3.pid()).toBe(pid);
    expect(s3.restarts()).toBe(0);
    await expectUntouched();
  });
});

describe("the app's operations through the front", () => {
  const uploads = () => readdir(path.join(dataDir, s3.bucket, "._S3rver_uploads")).catch(() => []);

  it("put, multipart upload in several parts, head, get, list, delete and abort", async () => {
    const small = randomBytes(1000);
    await store.putStream("ops/small", Readable.from([small]), { contentType: "application/octet-stream" });
    const big = randomBytes(12 * MiB);
    const put = await store.putStream("ops/big", Readable.from([big.subarray(0, 7 * MiB), big.subarray(7 * MiB)]), {
      contentType: "application/gzip",
    });
    expect(put.parts).toBe(3);
    expect(await store.head("ops/big")).toMatchObject({ sizeBytes: 12 * MiB, contentType: "application/gzip" });
    expect((await readAll(await store.getStream("ops/big"))).equals(big)).toBe(true);
    expect((await readAll(await store.getStream("ops/small"))).equals(small)).toBe(true);
    expect((await store.list("ops/")).map((o) => o.key).sort()).toEqual(["ops/big", "ops/small"]);

    // a failing source aborts the multipart upload: no parts are left behind
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 6 * MiB) return this.destroy(new AppError("UNAVAILABLE", "the export failed"));
        sent += MiB;
        this.push(Buffer.alloc(MiB, 7));
      },
    });
    await expect(store.putStream("ops/failed", failing, { contentType: "application/gzip" })).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    expect(await uploads()).toEqual([]);

    // AbortMultipartUpload as the SDK sends it
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: "ops/aborted" }));
    await client.send(
      new UploadPartCommand({
        Bucket: s3.bucket,
        Key: "ops/aborted",
        UploadId,
        PartNumber: 1,
        Body: randomBytes(5 * MiB),
      }),
    );
    expect(await uploads()).toHaveLength(1);
    await client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "ops/aborted", UploadId }));
    expect(await uploads()).toEqual([]);
    client.destroy();

    expect(await store.deletePrefix("ops/")).toBe(2);
    await expect(store.head("ops/big")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expectUntouched();
  });
});

describe("the store's process", () => {
  it("is started again on the same endpoint with the same key after kill -9, with its objects", async () => {
    const pid = s3.pid();
    expect(pid).toBeDefined();
    process.kill(pid as number, "SIGKILL");
    const started = Date.now();
    // a request made while it is down waits for the next process (the launcher holds the port)
    expect((await readAll(await store.getStream(VICTIM))).toString("utf8")).toBe(VICTIM_BODY);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(s3.restarts()).toBe(1);
    expect(s3.pid()).not.toBe(pid);
    await store.putStream("after/restart", Readable.from([Buffer.from("ok")]), { contentType: "text/plain" });
    expect((await readAll(await store.getStream("after/restart"))).toString("utf8")).toBe("ok");
    expect((await raw("GET", `${bucketPath()}/?list-type=2`)).status).toBe(403);
    await store.deletePrefix("after/");
  });

  it("stops with stop(): the port is closed and the process gone", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ovc-s3-stop-"));
    const other = await startEmbeddedS3({ dataDir: dir });
    const pid = other.pid() as number;
    await other.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(other.endpoint)).rejects.toThrow();
    expect(existsSync(dir)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });
});
