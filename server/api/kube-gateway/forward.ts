/**
 * Forwarding an admitted request to the virtual API: a plain request streamed both ways (a watch's headers flushed
 * at once, short requests bounded by a timeout, bodies capped), or an upgrade (exec, attach, port-forward over
 * WebSocket or SPDY) passed on byte for byte. Long-running ones are registered with the open-stream checks.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { Transform } from "node:stream";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import type { Grant } from "./grant";
import type { GatewayRecords, RequestOrigin } from "./gateway-records";
import type { OpenStreams } from "./open-streams";
import { ROLE_GROUPS } from "./rbac";
import { isLongRunning, isMutating, type GatewayPath, type KubeRequestInfo } from "./request-info";
import { GatewayRefusal, sendRefusal, sendRefusalOnSocket, translate } from "./status";
import type { Upstream, UpstreamPool } from "./upstream";

export interface Forwarding {
  grant: Grant;
  parsed: GatewayPath;
  info: KubeRequestInfo;
  origin: RequestOrigin;
  upstream: Upstream;
  records: GatewayRecords;
  streams: OpenStreams;
  pool: UpstreamPool;
  limits: { maxBodyBytes: number; upstreamTimeoutMs: number };
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the caller's own credentials or identity claims never go upstream. */
const DROPPED = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "authorization",
  "cookie",
  "content-length",
]);
const dropped = (name: string) => DROPPED.has(name) || name.startsWith("impersonate-") || name.startsWith("x-remote-");

function upstreamHeaders(
  headers: IncomingHttpHeaders,
  grant: Grant,
  upstream: Upstream,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !dropped(name)) out[name] = value;
  out["impersonate-user"] = grant.email;
  out["impersonate-group"] = ROLE_GROUPS[grant.role];
  if (upstream.authorization) out.authorization = upstream.authorization;
  return out;
}

export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  { grant, parsed, info, origin, upstream, records, streams, pool, limits }: Forwarding,
): Promise<void> {
  const longRunning = isLongRunning(info, parsed.query);
  return new Promise<void>((resolve) => {
    let code = 0;
    let finished = false;
    const finish = (refusal?: GatewayRefusal) => {
      if (finished) return;
      finished = true;
      if (refusal) sendRefusal(res, refusal);
      if (isMutating(info))
        records.audit(grant, parsed.vclusterId, info, parsed.path, refusal?.code ?? code, origin, refusal?.message);
      resolve();
    };
    const upstreamReq = https.request(
      {
        ...upstream.options(),
        method: req.method,
        path: parsed.path + parsed.search,
        headers: upstreamHeaders(req.headers, grant, upstream),
      },
      (upstreamRes) => {
        code = upstreamRes.statusCode ?? 502;
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamRes.headers))
          if (value !== undefined && !DROPPED.has(name)) headers[name] = value;
        if (upstreamRes.headers["content-length"]) headers["content-length"] = upstreamRes.headers["content-length"];
        res.writeHead(code, headers);
        // a watch's headers go out now, so the client starts waiting for events instead of for the response
        if (longRunning) res.flushHeaders();
        upstreamRes.pipe(res);
        upstreamRes.on("end", () => finish());
        upstreamRes.on("error", () => res.destroy());
      },
    );
    if (!longRunning) {
      upstreamReq.setTimeout(limits.upstreamTimeoutMs, () =>
        upstreamReq.destroy(
          new AppError(
            "TIMEOUT",
            `vcluster ${grant.vcluster.name}'s API did not answer within ${Math.round(limits.upstreamTimeoutMs / 1000)} s`,
          ),
        ),
      );
    } else {
      const unregister = streams.add(grant, (refusal) => {
        logger().info(
          { vcluster: grant.vcluster.id, user: grant.userId, reason: refusal?.message ?? "role changed" },
          "gateway: access ended; closing an open stream",
        );
        upstreamReq.destroy();
        res.destroy();
      });
      res.on("close", unregister);
    }
    upstreamReq.on("error", (error) => {
      // a failed or silent connection says the channel is broken; the next request opens a new one
      pool.invalidate(grant.vcluster.id);
      // before the answer began the client gets a Status; after it, only a cut stream says something broke
      if (res.headersSent) res.destroy();
      finish(res.headersSent ? undefined : translate(error, grant.vcluster.name));
    });
    res.on("close", () => upstreamReq.destroy());
    let received = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > limits.maxBodyBytes)
          return done(
            new GatewayRefusal(
              "RequestEntityTooLarge",
              `the request body exceeds the limit of ${limits.maxBodyBytes} bytes`,
            ),
          );
        done(null, chunk);
      },
    });
    cap.on("error", (refusal: GatewayRefusal) => {
      upstreamReq.destroy();
      finish(refusal);
    });
    req.pipe(cap).pipe(upstreamReq);
  });
}

export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  { grant, parsed, info, origin, upstream, records, streams, pool }: Forwarding,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const upstreamSocket = upstream.connect();
    let code = 0;
    const headers = upstreamHeaders(req.headers, grant, upstream);
    const lines = [
      `${req.method ?? "GET"} ${parsed.path}${parsed.search} HTTP/1.1`,
      `host: ${upstream.channel.serverName}`,
      "connection: Upgrade",
      `upgrade: ${req.headers.upgrade ?? ""}`,
    ];
    for (const [name, value] of Object.entries(headers))
      for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
    const unregister = streams.add(grant, () => {
      upstreamSocket.destroy();
      socket.destroy();
    });
    // recorded as soon as the virtual API answers the upgrade, not when a long session ends
    let audited = false;
    const audit = (answer: number, message?: string) => {
      if (audited) return;
      audited = true;
      records.audit(grant, parsed.vclusterId, info, parsed.path, answer, origin, message);
    };
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      unregister();
      upstreamSocket.destroy();
      // a refusal written with end() still has to reach the client
      if (!socket.writableEnded) socket.destroy();
      audit(code || 502);
      resolve();
    };
    upstreamSocket.once("secureConnect", () => {
      upstreamSocket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) upstreamSocket.write(head);
      upstreamSocket.once("data", (first: Buffer) => {
        code = Number(/^HTTP\/1\.1 (\d{3})/.exec(first.subarray(0, 32).toString("latin1"))?.[1] ?? 0);
        audit(code || 502);
      });
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });
    upstreamSocket.on("error", (error) => {
      pool.invalidate(grant.vcluster.id);
      if (code === 0) {
        const refusal = translate(error, grant.vcluster.name);
        audit(refusal.code, refusal.message);
        sendRefusalOnSocket(socket, refusal);
      }
      end();
    });
    upstreamSocket.on("close", end);
    socket.on("close", end);
    socket.on("error", () => upstreamSocket.destroy());
  });
}
