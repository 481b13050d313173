/**
 * The REST gateway: the procedures marked with `meta.openapi` (plus rest-only.ts), served under /api/v1 with plain
 * JSON and the same context, so Bearer tokens, authorization, audit and rate limits are the tRPC API's own.
 */
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { createContext } from "../context";
import { appRouter } from "../root";
import { createTRPCRouter } from "../trpc";
import { restOnlyRouter } from "./rest-only";

export const REST_BASE = "/api/v1";

export const restRouter = createTRPCRouter({ ...appRouter._def.record, rest: restOnlyRouter });

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
  const message = body.code === "BAD_REQUEST" && issues.length ? issues.map((i) => `${i.field}: ${i.message}`).join("; ") : (body.message ?? response.statusText);
  const headers = new Headers({ "content-type": "application/json" });
  if (retryAfter !== null) headers.set("retry-after", String(retryAfter));
  return new Response(JSON.stringify({ message, code: body.code ?? "INTERNAL_SERVER_ERROR", issues, retryAfter }), { status: response.status, headers });
}

/**
 * The library coerces query strings with JavaScript's Boolean(), which reads "false" as true; `force=false` must not
 * force a delete. The boolean query parameters (`force` of a delete, `prune` of a restore preview, `unreadOnly` of
 * the notifications) all default to false, so "false" is dropped.
 */
const BOOLEAN_QUERY_PARAMETERS = ["force", "prune", "unreadOnly"];

function withoutFalseFlags(req: Request): Request {
  const url = new URL(req.url);
  const falses = BOOLEAN_QUERY_PARAMETERS.filter((name) => url.searchParams.get(name)?.toLowerCase() === "false");
  if (!falses.length) return req;
  for (const name of falses) url.searchParams.delete(name);
  return new Request(url, req);
}

export async function handleRestRequest(incoming: Request): Promise<Response> {
  const req = withoutFalseFlags(incoming);
  const response = await createOpenApiFetchHandler({ endpoint: REST_BASE, req, router: restRouter, createContext: () => createContext({ req }) });
  return response.ok ? response : portalError(response);
}
