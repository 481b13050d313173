import { randomUUID } from "node:crypto";
import { clientAddressOf } from "@/server/security/client-address";
import { crossSiteReason } from "@/server/security/same-origin";
import { resolveActor, type Actor } from "@/server/auth/actor";
import { db, type Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import type { PortalDependencies } from "@/server/services/dependencies";
import { toAppError } from "./error-map";

export interface Context {
  db: Db;
  deps: PortalDependencies;
  actor: Actor | null;
  /** a refused credential, reported when a procedure needs a caller */
  authError: AppError | null;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/** What a request says about itself: a fetch `Request`, or the method and headers of a Node request. */
export type RequestHead = Pick<Request, "method" | "headers">;

export async function createContext({ req, deps }: { req: RequestHead; deps: PortalDependencies }): Promise<Context> {
  const database = db();
  let actor: Actor | null = null;
  let authError: AppError | null = null;
  try {
    actor = await resolveActor(database, req.headers);
  } catch (error) {
    authError = toAppError(error);
    if (!authError) throw error;
  }
  const crossSite = actor && !actor.tokenId ? crossSiteReason(req.method, req.headers, { requireJson: true }) : null;
  if (crossSite) {
    actor = null;
    authError = new AppError("FORBIDDEN", crossSite);
  }
  return {
    db: database,
    deps,
    actor,
    authError,
    requestId: requestIdOf(req.headers),
    ip: clientAddressOf(req.headers),
    userAgent: req.headers.get("user-agent"),
  };
}
