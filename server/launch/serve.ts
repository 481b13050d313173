/**
 * The portal's HTTP server: Next.js (the production build) for pages and APIs, and the access gateway for
 * `/kube/<vcluster-id>/…` on the same port. A custom server because Next's route handlers cannot take the HTTP
 * upgrades that exec, attach and port-forward need (https://nextjs.org/docs/app/guides/custom-server).
 * Listens on BIND_ADDRESS (default 127.0.0.1) and PORT (default 3000); with TLS_CERT_FILE/TLS_KEY_FILE it speaks
 * TLS and plain HTTP on that one port (told apart by the first byte: a TLS handshake record starts with 0x16), so
 * browsers keep the http:// address while kubectl, which sends tokens only over TLS, uses https://.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import next from "next";
import { CLIENT_ADDRESS_HEADER, clientAddress, trustedProxies } from "@/server/security/client-address";
import { createKubeGateway, GATEWAY_PREFIX } from "@/server/api/kube-gateway/gateway";
import { portalDependencies } from "@/server/composition/dependencies";
import { answeringOutages } from "@/server/api/outage-status";
import { handleTrpcRequest, isTrpcRequest } from "@/server/api/trpc-node";
import { SECURITY_HEADERS } from "@/server/security/security-headers.mjs";
import { db } from "@/server/db/client";
import { env, portalUrl } from "@/server/env";
import { logger } from "@/server/observability/logger";

const root = path.resolve(import.meta.dirname, "../..");
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.BIND_ADDRESS ?? "127.0.0.1";

const isGateway = (url: string | undefined) => (url ?? "").startsWith(GATEWAY_PREFIX);

/**
 * Bodies for the pages and APIs are refused before anything reads them when larger than the limit, and must say
 * their length up front: a chunked body could only be measured while Next already parses it.
 */
function bodyRefusal(req: http.IncomingMessage, max: number): { status: number; code: string; message: string } | null {
  if (req.method === "GET" || req.method === "HEAD") return null;
  if (req.headers["transfer-encoding"])
    return { status: 411, code: "LENGTH_REQUIRED", message: "send the request body with a Content-Length" };
  const length = Number(req.headers["content-length"] ?? 0);
  return length > max
    ? {
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        message: `the request body is ${length} bytes; the limit is ${max} (PORTAL_MAX_BODY_BYTES)`,
      }
    : null;
}

async function main(): Promise<void> {
  const app = next({ dev: false, dir: root, hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const settings = env();
  const deps = portalDependencies(db());
  const gateway = createKubeGateway({
    db: db(),
    adapters: deps.hosts,
    requestsPerMinute: settings.GATEWAY_REQUESTS_PER_MINUTE,
    maxBodyBytes: settings.GATEWAY_MAX_BODY_BYTES,
    upstreamTimeoutMs: settings.GATEWAY_UPSTREAM_TIMEOUT_MS,
  });
  // behind TLS (PORTAL_URL https) browsers are told to stay on it; never on plain http, where it would lock them out
  const hsts = portalUrl(settings).startsWith("https:");
  const proxies = trustedProxies();
  // the address the rest of the portal sees; whatever a client sent under that name is dropped first
  const stampAddress = (req: http.IncomingMessage) => {
    const forwarded = req.headers["x-forwarded-for"];
    const address = clientAddress(
      req.socket.remoteAddress,
      Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
      proxies,
    );
    delete req.headers[CLIENT_ADDRESS_HEADER];
    if (address) req.headers[CLIENT_ADDRESS_HEADER] = address;
  };
  const onRequest: http.RequestListener = (req, res) => {
    stampAddress(req);
    if (hsts) res.setHeader("strict-transport-security", "max-age=31536000");
    if (isGateway(req.url)) return gateway.handleRequest(req, res);
    const tooLarge = bodyRefusal(req, settings.PORTAL_MAX_BODY_BYTES);
    if (tooLarge) {
      res.writeHead(tooLarge.status, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: tooLarge }));
      req.destroy();
      return;
    }
    if (isTrpcRequest(req.url)) {
      // what next.config.mjs sets on every answer Next gives
      for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
      void handleTrpcRequest(req, res, deps).catch((error: unknown) => {
        logger().error({ err: error }, "the tRPC handler failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end();
      });
      return;
    }
    void answeringOutages(res, () => handle(req, res));
  };
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    stampAddress(req);
    if (isGateway(req.url)) return gateway.handleUpgrade(req, socket, head);
    socket.destroy();
  };
  const plain = http.createServer(onRequest).on("upgrade", onUpgrade);
  const secure =
    settings.TLS_CERT_FILE && settings.TLS_KEY_FILE
      ? https
          .createServer(
            { cert: readFileSync(settings.TLS_CERT_FILE), key: readFileSync(settings.TLS_KEY_FILE) },
            onRequest,
          )
          .on("upgrade", onUpgrade)
      : null;
  // http.createServer turns Nagle off on its own sockets, but sockets handed over with emit("connection") keep it:
  // a response written in two segments then waits for the client's delayed ACK, about 40 ms per request.
  const server = secure
    ? net.createServer({ noDelay: true }, (socket) => {
        socket.once("data", (first: Buffer) => {
          socket.pause();
          socket.unshift(first);
          (first[0] === 0x16 ? secure : plain).emit("connection", socket);
          process.nextTick(() => socket.resume());
        });
        socket.on("error", () => socket.destroy());
      })
    : plain;
  const stop = () => {
    server.close();
    plain.closeAllConnections();
    secure?.closeAllConnections();
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger().error({ err: error }, "stopping the gateway failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  console.log(
    `portal ready on http://${hostname}:${port}${secure ? ` and https://${hostname}:${port}` : ""} (access gateway at ${GATEWAY_PREFIX}<vcluster-id>)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
