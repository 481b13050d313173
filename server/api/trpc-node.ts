/**
 * The tRPC API served by the portal's own HTTP server rather than through a Next.js route: the same router,
 * context and error formatting, without the App Router's per-request work (route matching, a fetch Request and
 * Response per call) that a JSON API does not need. It is the only route to the tRPC API: the portal always runs on
 * this server (server/launch/serve.ts).
 */
import type http from "node:http";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { createContext } from "./context";
import type { PortalDependencies } from "@/server/services/dependencies";
import { appRouter } from "./root";

export const TRPC_PREFIX = "/api/trpc/";

export const isTrpcRequest = (url: string | undefined) => (url ?? "").startsWith(TRPC_PREFIX);

function headersOf(req: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

export function handleTrpcRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  deps: PortalDependencies,
): Promise<void> {
  // as tRPC's fetch adapter reads it: the path after the endpoint, without surrounding slashes
  const pathname = new URL(req.url ?? "/", "http://portal").pathname;
  const path = pathname.slice(TRPC_PREFIX.length).replace(/^\/+|\/+$/g, "");
  return nodeHTTPRequestHandler({
    req,
    res,
    path,
    router: appRouter,
    createContext: () => createContext({ req: { method: req.method ?? "GET", headers: headersOf(req) }, deps }),
  });
}
