import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { authenticate, type UserInfo } from "./authn";
import { type ApiError, errors } from "./errors";
import { impersonate, withoutImpersonation } from "./impersonation";
import { type Decision, forbidden } from "./rbac";
import { type Attributes, requestAttributes } from "./requestinfo";
import { sendError } from "./request";

/** How one API server (the host or a virtual cluster) knows and judges its callers. */
export interface ApiAccess {
  tokens: ReadonlyMap<string, UserInfo>;
  /** The minor version the API serves, for behaviour that changed between releases. */
  minor: number;
  authorize: (a: Attributes) => Decision;
}

export type Refusal = { refused: ApiError } | { internalError: string };
type Admission = { user: UserInfo; attributes: Attributes; headers: IncomingHttpHeaders } | Refusal;

/**
 * The apiserver's filter chain in front of every handler (k8s.io/apiserver/pkg/server/config.go
 * DefaultBuildHandlerChain, which vcluster's proxy copies in pkg/server/server.go): authentication (401
 * Unauthorized), impersonation, then authorization of the request's attributes (403). Long-running requests,
 * watches included, are authorized once, when they start. The impersonation headers do not go further.
 */
export function admit(access: ApiAccess, req: IncomingMessage, url: URL): Admission {
  const authenticated = authenticate(req, access.tokens);
  if (!authenticated) return { refused: errors.unauthorized() };
  const impersonation = impersonate(authenticated, req.headersDistinct, access.minor, req.url ?? "/", access.authorize);
  if (impersonation && !("user" in impersonation)) return impersonation;
  const user = impersonation?.user ?? authenticated;
  const attributes = requestAttributes(user, req.method ?? "GET", url.pathname, url.searchParams);
  const decision = access.authorize(attributes);
  if (!decision.allowed) return { refused: forbidden(attributes, decision.reason) };
  return { user, attributes, headers: impersonation ? withoutImpersonation(req.headers) : req.headers };
}

/** responsewriters.InternalError is http.Error: plain text, not a Status. */
const internalErrorHeaders = { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" };

export function writeRefusal(res: ServerResponse, r: Refusal): void {
  if ("refused" in r) return sendError(res, r.refused);
  res.writeHead(500, internalErrorHeaders);
  res.end(`${r.internalError}\n`);
}

/** The same answers on a connection that asked for an upgrade and will not get one. */
export function refuseUpgrade(socket: Duplex, r: Refusal): void {
  const [code, headers, body] =
    "refused" in r
      ? [r.refused.code, { "Content-Type": "application/json" }, JSON.stringify(r.refused.status())]
      : [500, internalErrorHeaders, `${r.internalError}\n`];
  const lines = Object.entries({ ...headers, "Content-Length": String(Buffer.byteLength(body)) }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ""}\r\n${lines.join("\r\n")}\r\n\r\n${body}`);
}
