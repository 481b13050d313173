/**
 * The REST gateway: the procedures marked with `meta.openapi` (plus rest-only.ts), served under /api/v1 with plain
 * JSON and the same context, so Bearer tokens, authorization, audit and rate limits are the tRPC API's own.
 */
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { createContext } from "../context";
import type { PortalDependencies } from "@/server/services/dependencies";
import { openApiDocument } from "./openapi-document";
import { REST_BASE, restRouter } from "./rest-router";

interface ErrorBody {
  message?: string;
  code?: string;
  data?: { issues?: { field: string; message: string }[]; retryAfter?: number | null };
}

/**
 * The library's error body carries the tRPC shape and raw zod issues; clients get the portal's one error shape
 * instead (document: `Error`), with field issues as the tRPC API reports them.
 */
async function portalError(response: Response): Promise<Response> {
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  const issues = body.data?.issues ?? [];
  const retryAfter = body.data?.retryAfter ?? null;
  const message =
    body.code === "BAD_REQUEST" && issues.length
      ? issues.map((i) => `${i.field}: ${i.message}`).join("; ")
      : (body.message ?? response.statusText);
  const headers = new Headers({ "content-type": "application/json" });
  if (retryAfter !== null) headers.set("retry-after", String(retryAfter));
  return new Response(JSON.stringify({ message, code: body.code ?? "INTERNAL_SERVER_ERROR", issues, retryAfter }), {
    status: response.status,
    headers,
  });
}

let booleanQueryParameters: Set<string> | null = null;

/** Every boolean query parameter the document declares, so a new one is covered without a list to maintain. */
function booleanQueryNames(): Set<string> {
  if (!booleanQueryParameters) {
    booleanQueryParameters = new Set();
    for (const operations of Object.values(openApiDocument().paths ?? {})) {
      for (const operation of Object.values(operations ?? {})) {
        const parameters =
          (operation as { parameters?: { in?: string; name?: string; schema?: { type?: unknown } }[] }).parameters ??
          [];
        for (const p of parameters)
          if (p.in === "query" && p.name && p.schema?.type === "boolean") booleanQueryParameters.add(p.name);
      }
    }
  }
  return booleanQueryParameters;
}

/**
 * The library coerces query strings with JavaScript's Boolean(), which reads "false" as true (`force=false` must not
 * force a delete); the empty string is the one text Boolean() reads as false.
 */
function withFalseFlagsRead(req: Request): Request {
  const url = new URL(req.url);
  const names = [...booleanQueryNames()].filter((name) => url.searchParams.get(name)?.toLowerCase() === "false");
  if (!names.length) return req;
  for (const name of names) url.searchParams.set(name, "");
  return new Request(url, req);
}

export async function handleRestRequest(incoming: Request, deps: PortalDependencies): Promise<Response> {
  const req = withFalseFlagsRead(incoming);
  const response = await createOpenApiFetchHandler({
    endpoint: REST_BASE,
    req,
    router: restRouter,
    createContext: () => createContext({ req, deps }),
  });
  return response.ok ? response : portalError(response);
}
