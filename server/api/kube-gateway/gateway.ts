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
import type { Duplex } from "node:stream";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "@/server/db/client";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";
import { logger } from "@/server/observability/logger";
import { CLIENT_ADDRESS_HEADER } from "@/server/security/client-address";
import { forwardRequest, forwardUpgrade } from "./forward";
import { resolveGrant, type Grant } from "./grant";
import { GatewayRecords, type RequestOrigin } from "./gateway-records";
import { OpenStreams } from "./open-streams";
import { isMutating, parseGatewayPath, requestInfo, type GatewayPath, type KubeRequestInfo } from "./request-info";
import { GatewayRefusal, sendRefusal, sendRefusalOnSocket, translate } from "./status";
import { UpstreamPool, type Upstream } from "./upstream";

export { GATEWAY_PREFIX } from "./request-info";

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

function unavailable(grant: Grant): GatewayRefusal | null {
  const { name, phase } = grant.vcluster;
  if (SERVING.has(phase)) return null;
  if (phase === "SUSPENDED")
    return new GatewayRefusal(
      "ServiceUnavailable",
      `vcluster ${name} is suspended: resume it on its page in the portal (or \`ovc resume ${name}\`), then retry`,
    );
  if (phase === "ERROR")
    return new GatewayRefusal(
      "ServiceUnavailable",
      `vcluster ${name} is in ERROR: recover it from its page in the portal (Recover), then retry`,
    );
  return new GatewayRefusal(
    "ServiceUnavailable",
    `vcluster ${name} is ${phase.toLowerCase()}; retry in a few seconds`,
    5,
  );
}

function bearerOf(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "");
  return match ? match[1] : null;
}

export function createKubeGateway(options: GatewayOptions): KubeGateway {
  const pool = new UpstreamPool(options.adapters);
  const records = new GatewayRecords(options.db);
  const streams = new OpenStreams(options.db, unavailable);
  const limiter = new RateLimiterMemory({ points: options.requestsPerMinute, duration: 60 });

  /** Everything decided before a byte goes upstream; a refusal of a mutation is audited like its success. */
  async function admit(
    req: IncomingMessage,
    origin: RequestOrigin,
  ): Promise<{ grant: Grant; parsed: GatewayPath; info: KubeRequestInfo }> {
    const parsed = parseGatewayPath(req.url ?? "/");
    const info = requestInfo(req.method ?? "GET", parsed.path, parsed.query);
    let grant: Grant | null = null;
    try {
      grant = await resolveGrant(options.db, bearerOf(req.headers), parsed.vclusterId);
      await limiter.consume(`user:${grant.userId}`).catch((rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const wait = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new GatewayRefusal(
          "TooManyRequests",
          `too many requests through the portal: at most ${options.requestsPerMinute} per minute; retry in ${wait} s`,
          wait,
        );
      });
      const down = unavailable(grant);
      if (down) {
        // its control plane is stopping or gone: the pooled channel leads nowhere
        pool.invalidate(grant.vcluster.id);
        throw down;
      }
      const length = Number(req.headers["content-length"] ?? 0);
      if (length > options.maxBodyBytes)
        throw new GatewayRefusal(
          "RequestEntityTooLarge",
          `the request body is ${length} bytes; the limit is ${options.maxBodyBytes}`,
        );
      return { grant, parsed, info };
    } catch (error) {
      const refusal = translate(error, grant?.vcluster.name ?? parsed.vclusterId);
      if (isMutating(info))
        records.audit(grant, parsed.vclusterId, info, parsed.path, refusal.code, origin, refusal.message);
      throw refusal;
    }
  }

  /** The upstream channel, or the reason it cannot be had, audited for mutations as any refusal is. */
  async function throughUpstream(
    grant: Grant,
    info: KubeRequestInfo,
    parsed: GatewayPath,
    origin: RequestOrigin,
    fn: (upstream: Upstream) => Promise<void>,
  ): Promise<void> {
    let opened = false;
    try {
      await pool.use(grant, (upstream) => {
        opened = true;
        return fn(upstream);
      });
    } catch (error) {
      const refusal = translate(error, grant.vcluster.name);
      if (!opened && isMutating(info))
        records.audit(grant, parsed.vclusterId, info, parsed.path, refusal.code, origin, refusal.message);
      throw refusal;
    }
  }

  function originOf(req: IncomingMessage): RequestOrigin {
    const stamped = req.headers[CLIENT_ADDRESS_HEADER];
    return {
      requestId: randomUUID(),
      sourceIp: (typeof stamped === "string" ? stamped : null) ?? req.socket.remoteAddress ?? null,
      userAgent: req.headers["user-agent"] ?? null,
    };
  }

  async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = originOf(req);
    const { grant, parsed, info } = await admit(req, origin);
    if (info.verb !== "watch") records.activity(grant);
    await throughUpstream(grant, info, parsed, origin, (upstream) =>
      forwardRequest(req, res, { grant, parsed, info, origin, upstream, records, streams, pool, limits: options }),
    );
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const origin = originOf(req);
    const { grant, parsed, info } = await admit(req, origin);
    records.activity(grant);
    await throughUpstream(grant, info, parsed, origin, (upstream) =>
      forwardUpgrade(req, socket, head, {
        grant,
        parsed,
        info,
        origin,
        upstream,
        records,
        streams,
        pool,
        limits: options,
      }),
    );
  }

  return {
    handleRequest(req, res) {
      proxy(req, res).catch((error: unknown) => {
        const refusal = translate(error, "");
        if (!(error instanceof GatewayRefusal)) logger().warn({ err: error }, "gateway: request failed");
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
