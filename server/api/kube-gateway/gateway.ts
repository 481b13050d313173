/**
 * The access gateway: `/kube/<vcluster-id>/…` on the portal's own port serves that vcluster's Kubernetes API.
 * Each request is authenticated by the person's kubeconfig token and authorized by their current project role
 * (grant.ts), limited, then forwarded through the host to the virtual API (upstream.ts) with the person's identity
 * by impersonation; Kubernetes RBAC inside the vcluster (rbac.ts) decides the rest. Upgrades (exec, attach,
 * port-forward over WebSocket or SPDY) are forwarded byte for byte once authorized. Next.js route handlers cannot
 * take HTTP upgrades or hold a watch open without buffering, so the launcher's server routes `/kube/` here.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { Transform } from "node:stream";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "@/server/db/client";
import type { AdapterProvider } from "@/server/engine/worker";
import { AppError } from "@/server/errors";
import { logger } from "@/server/observability/logger";
import { resolveGrant, type Grant } from "./grant";
import { GatewayRecords, type RequestOrigin } from "./gateway-records";
import { OpenStreams } from "./open-streams";
import { ROLE_GROUPS } from "./rbac";
import { isLongRunning, isMutating, requestInfo, type KubeRequestInfo } from "./request-info";
import { GatewayRefusal, sendRefusal, sendRefusalOnSocket } from "./status";
import { UpstreamPool, type Upstream } from "./upstream";

export const GATEWAY_PREFIX = "/kube/";

export interface GatewayOptions {
  db: Db;
  adapters: AdapterProvider;
  requestsPerMinute: number;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
}

export interface KubeGateway {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
  /** waits for audit and activity rows still being written */
  flush(): Promise<void>;
}

const SERVING = new Set(["RUNNING", "SCALING", "UPDATING", "SNAPSHOTTING", "RESTORING"]);

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the caller's own credentials or identity claims never go upstream. */
const DROPPED = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "authorization", "cookie", "content-length"]);
const dropped = (name: string) => DROPPED.has(name) || name.startsWith("impersonate-") || name.startsWith("x-remote-");

function unavailable(grant: Grant): GatewayRefusal | null {
  const { name, phase } = grant.vcluster;
  if (SERVING.has(phase)) return null;
  if (phase === "SUSPENDED") return new GatewayRefusal("ServiceUnavailable", `vcluster ${name} is suspended: resume it on its page in the portal (or \`ovc resume ${name}\`), then retry`);
  if (phase === "ERROR") return new GatewayRefusal("ServiceUnavailable", `vcluster ${name} is in ERROR: recover it on its page in the portal (or \`ovc recover ${name}\`)`);
  return new GatewayRefusal("ServiceUnavailable", `vcluster ${name} is ${phase.toLowerCase()}; retry in a few seconds`, 5);
}

function bearerOf(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "");
  return match ? match[1] : null;
}

interface Parsed {
  vclusterId: string;
  path: string;
  search: string;
  query: URLSearchParams;
}

function parse(url: string): Parsed {
  const target = new URL(url, "http://gateway");
  const rest = target.pathname.slice(GATEWAY_PREFIX.length);
  const slash = rest.indexOf("/");
  const vclusterId = slash < 0 ? rest : rest.slice(0, slash);
  if (!/^[a-z0-9]{1,64}$/.test(vclusterId)) throw new GatewayRefusal("NotFound", "no vcluster at this address: the kubeconfig's server must be <portal>/kube/<vcluster id>");
  return { vclusterId, path: slash < 0 ? "/" : rest.slice(slash), search: target.search, query: target.searchParams };
}

function upstreamHeaders(headers: IncomingHttpHeaders, grant: Grant, upstream: Upstream): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !dropped(name)) out[name] = value;
  out["impersonate-user"] = grant.email;
  out["impersonate-group"] = ROLE_GROUPS[grant.role];
  if (upstream.authorization) out.authorization = upstream.authorization;
  return out;
}

function translate(error: unknown, vclusterName: string): GatewayRefusal {
  if (error instanceof GatewayRefusal) return error;
  if (error instanceof AppError && error.code === "TIMEOUT") return new GatewayRefusal("Timeout", error.message);
  const detail = error instanceof Error ? error.message : String(error);
  return new GatewayRefusal("ServiceUnavailable", `vcluster ${vclusterName}'s API could not be reached through the host: ${detail}`, 5);
}

export function createKubeGateway(options: GatewayOptions): KubeGateway {
  const pool = new UpstreamPool(options.adapters);
  const records = new GatewayRecords(options.db);
  const streams = new OpenStreams(options.db, unavailable);
  const limiter = new RateLimiterMemory({ points: options.requestsPerMinute, duration: 60 });

  /** Everything decided before a byte goes upstream; a refusal of a mutation is audited like its success. */
  async function admit(req: IncomingMessage, origin: RequestOrigin): Promise<{ grant: Grant; parsed: Parsed; info: KubeRequestInfo }> {
    const parsed = parse(req.url ?? "/");
    const info = requestInfo(req.method ?? "GET", parsed.path, parsed.query);
    let grant: Grant | null = null;
    try {
      grant = await resolveGrant(options.db, bearerOf(req.headers), parsed.vclusterId);
      await limiter.consume(`user:${grant.userId}`).catch((rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const wait = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new GatewayRefusal("TooManyRequests", `too many requests through the portal: at most ${options.requestsPerMinute} per minute; retry in ${wait} s`, wait);
      });
      const down = unavailable(grant);
      if (down) throw down;
      const length = Number(req.headers["content-length"] ?? 0);
      if (length > options.maxBodyBytes) throw new GatewayRefusal("RequestEntityTooLarge", `the request body is ${length} bytes; the limit is ${options.maxBodyBytes}`);
      return { grant, parsed, info };
    } catch (error) {
      const refusal = translate(error, grant?.vcluster.name ?? parsed.vclusterId);
      if (isMutating(info)) records.audit(grant, parsed.vclusterId, info, parsed.path, refusal.code, origin, refusal.message);
      throw refusal;
    }
  }

  /** The upstream channel, or the reason it cannot be had, audited for mutations as any refusal is. */
  async function throughUpstream(grant: Grant, info: KubeRequestInfo, parsed: Parsed, origin: RequestOrigin, fn: (upstream: Upstream) => Promise<void>): Promise<void> {
    let opened = false;
    try {
      await pool.use(grant, (upstream) => {
        opened = true;
        return fn(upstream);
      });
    } catch (error) {
      const refusal = translate(error, grant.vcluster.name);
      if (!opened && isMutating(info)) records.audit(grant, parsed.vclusterId, info, parsed.path, refusal.code, origin, refusal.message);
      throw refusal;
    }
  }

  function originOf(req: IncomingMessage): RequestOrigin {
    return { requestId: randomUUID(), sourceIp: req.socket.remoteAddress ?? null, userAgent: req.headers["user-agent"] ?? null };
  }

  async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = originOf(req);
    const { grant, parsed, info } = await admit(req, origin);
    const longRunning = isLongRunning(info, parsed.query);
    if (info.verb !== "watch") records.activity(grant);
    await throughUpstream(grant, info, parsed, origin, (upstream) =>
      new Promise<void>((resolve) => {
        let code = 0;
        let finished = false;
        const finish = (refusal?: GatewayRefusal) => {
          if (finished) return;
          finished = true;
          if (refusal) sendRefusal(res, refusal);
          if (isMutating(info)) records.audit(grant, parsed.vclusterId, info, parsed.path, refusal?.code ?? code, origin, refusal?.message);
          resolve();
        };
        const upstreamReq = https.request({ ...upstream.options(), method: req.method, path: parsed.path + parsed.search, headers: upstreamHeaders(req.headers, grant, upstream) }, (upstreamRes) => {
          code = upstreamRes.statusCode ?? 502;
          const headers: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(upstreamRes.headers)) if (value !== undefined && !DROPPED.has(name)) headers[name] = value;
          if (upstreamRes.headers["content-length"]) headers["content-length"] = upstreamRes.headers["content-length"];
          res.writeHead(code, headers);
          // a watch's headers go out now, so the client starts waiting for events instead of for the response
          if (longRunning) res.flushHeaders();
          upstreamRes.pipe(res);
          upstreamRes.on("end", () => finish());
          upstreamRes.on("error", () => res.destroy());
        });
        if (!longRunning) {
          upstreamReq.setTimeout(options.upstreamTimeoutMs, () => upstreamReq.destroy(new AppError("TIMEOUT", `vcluster ${grant.vcluster.name}'s API did not answer within ${Math.round(options.upstreamTimeoutMs / 1000)} s`)));
        } else {
          const unregister = streams.add(grant, (refusal) => {
            logger().info({ vcluster: grant.vcluster.id, user: grant.userId, reason: refusal?.message ?? "role changed" }, "gateway: access ended; closing an open stream");
            upstreamReq.destroy();
            res.destroy();
          });
          res.on("close", unregister);
        }
        upstreamReq.on("error", (error) => {
          if (!(error instanceof AppError)) pool.invalidate(grant.vcluster.id);
          finish(res.headersSent ? undefined : translate(error, grant.vcluster.name));
          res.destroy();
        });
        res.on("close", () => upstreamReq.destroy());
        let received = 0;
        const cap = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            received += chunk.length;
            if (received > options.maxBodyBytes) return done(new GatewayRefusal("RequestEntityTooLarge", `the request body exceeds the limit of ${options.maxBodyBytes} bytes`));
            done(null, chunk);
          },
        });
        cap.on("error", (refusal: GatewayRefusal) => {
          upstreamReq.destroy();
          finish(refusal);
        });
        req.pipe(cap).pipe(upstreamReq);
      }),
    );
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const origin = originOf(req);
    const { grant, parsed, info } = await admit(req, origin);
    records.activity(grant);
    await throughUpstream(grant, info, parsed, origin, (upstream) =>
      new Promise<void>((resolve) => {
        const upstreamSocket = upstream.connect();
        let code = 0;
        const headers = upstreamHeaders(req.headers, grant, upstream);
        const lines = [`${req.method ?? "GET"} ${parsed.path}${parsed.search} HTTP/1.1`, `host: ${upstream.channel.serverName}`, "connection: Upgrade", `upgrade: ${req.headers.upgrade ?? ""}`];
        for (const [name, value] of Object.entries(headers)) for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
        const unregister = streams.add(grant, () => {
          upstreamSocket.destroy();
          socket.destroy();
        });
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          unregister();
          upstreamSocket.destroy();
          socket.destroy();
          records.audit(grant, parsed.vclusterId, info, parsed.path, code || 502, origin);
          resolve();
        };
        upstreamSocket.once("secureConnect", () => {
          upstreamSocket.write(`${lines.join("\r\n")}\r\n\r\n`);
          if (head.length) upstreamSocket.write(head);
          upstreamSocket.once("data", (first: Buffer) => {
            code = Number(/^HTTP\/1\.1 (\d{3})/.exec(first.subarray(0, 32).toString("latin1"))?.[1] ?? 0);
          });
          upstreamSocket.pipe(socket);
          socket.pipe(upstreamSocket);
        });
        upstreamSocket.on("error", (error) => {
          pool.invalidate(grant.vcluster.id);
          if (code === 0) sendRefusalOnSocket(socket, translate(error, grant.vcluster.name));
          end();
        });
        upstreamSocket.on("close", end);
        socket.on("close", end);
        socket.on("error", () => upstreamSocket.destroy());
      }),
    );
  }

  return {
    handleRequest(req, res) {
      proxy(req, res).catch((error: unknown) => {
        const refusal = translate(error, "");
        if (refusal.code >= 500) logger().warn({ err: error }, "gateway: request failed");
        sendRefusal(res, refusal);
      });
    },
    handleUpgrade(req, socket, head) {
      upgrade(req, socket, head).catch((error: unknown) => sendRefusalOnSocket(socket, translate(error, "")));
    },
    async close() {
      streams.close();
      await pool.close();
      await records.flush();
    },
    flush: () => records.flush(),
  };
}
