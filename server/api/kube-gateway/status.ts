/**
 * The gateway's own answers, as metav1.Status objects (what kube-apiserver sends), so kubectl prints the message:
 * `Error from server (ServiceUnavailable): …`.
 */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { AppError } from "@/server/universal/errors";

export type StatusReason =
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "TooManyRequests"
  | "RequestEntityTooLarge"
  | "ServiceUnavailable"
  | "Timeout"
  | "InternalError"
  | "BadRequest";

const CODES: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  RequestEntityTooLarge: 413,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};

export class GatewayRefusal extends Error {
  constructor(
    readonly reason: StatusReason,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get code(): number {
    return CODES[this.reason];
  }

  body(): string {
    return JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.retryAfterSeconds ? { details: { retryAfterSeconds: this.retryAfterSeconds } } : {}),
      code: this.code,
    });
  }

  headers(): Record<string, string> {
    return {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...(this.retryAfterSeconds ? { "retry-after": String(this.retryAfterSeconds) } : {}),
    };
  }
}

export function sendRefusal(res: ServerResponse, refusal: GatewayRefusal): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = refusal.body();
  res.writeHead(refusal.code, { ...refusal.headers(), "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** The same answer on a socket that asked for an upgrade, which has no ServerResponse. */
export function sendRefusalOnSocket(socket: Duplex, refusal: GatewayRefusal): void {
  const body = refusal.body();
  const headers = Object.entries({
    ...refusal.headers(),
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${refusal.code} ${refusal.reason}\r\n${headers}\r\n${body}`);
}

/** Anything that stopped a request, as the Status the client gets. */
export function translate(error: unknown, vclusterName: string): GatewayRefusal {
  if (error instanceof GatewayRefusal) return error;
  if (error instanceof AppError && error.code === "TIMEOUT") return new GatewayRefusal("Timeout", error.message);
  const detail = error instanceof Error ? error.message : String(error);
  return new GatewayRefusal(
    "ServiceUnavailable",
    `vcluster ${vclusterName}'s API could not be reached through the host: ${detail}`,
    5,
  );
}
