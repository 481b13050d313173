import type { IncomingMessage, ServerResponse } from "node:http";
import { getServerSession, type AuthOptions, type Session } from "next-auth";
import type { AppError } from "@/server/universal/errors";
import { authOptions } from "./options";

/** A Cookie header's pairs, as next/headers' cookies() gives them to next-auth. */
function cookiesOf(header: string | null): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // not percent-encoded after all: kept as sent, as Next does
    }
    if (!(name in cookies)) cookies[name] = value;
  }
  return cookies;
}

/**
 * The request's browser session, or null when it has none or it ended. A database outage while checking it is
 * thrown (AppError UNAVAILABLE) rather than passed off as "signed out". Given the request's headers it reads them
 * (the API, also when the portal's server answers it without Next); without, the page being rendered's.
 */
export async function currentSession(headers?: Headers): Promise<Session | null> {
  const seen: { outage?: AppError } = {};
  const options = authOptions({ onUnavailable: (error) => (seen.outage = error) });
  // The request and response next-auth builds for itself when it reads a page's (next-auth/next, the RSC case):
  // only headers and cookies are read, and nothing is written. Its types ask for Node's classes, hence the cast.
  const request = { headers: Object.fromEntries(headers ?? []), cookies: cookiesOf(headers?.get("cookie") ?? null) };
  const response = { getHeader() {}, setCookie() {}, setHeader() {} };
  const session = headers
    ? await getServerSession(
        ...([request, response, options] as unknown as [
          IncomingMessage & { cookies: Record<string, string> },
          ServerResponse,
          AuthOptions,
        ]),
      )
    : await getServerSession(options);
  if (seen.outage) throw seen.outage;
  return session;
}
