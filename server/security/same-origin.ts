/**
 * Cookie-authenticated changes come only from the portal's own pages (ASVS 4.2.2, OWASP CSRF cheat sheet): a
 * browser says where a request comes from in Sec-Fetch-Site (all current browsers) or Origin, and the portal's
 * APIs take JSON only, which a cross-site form cannot send without a CORS preflight. Bearer-token callers carry
 * no ambient credential and are not affected.
 */

/** null when the request may use the session cookie, else why not. */
export function crossSiteReason(
  method: string,
  headers: Headers,
  { requireJson }: { requireJson: boolean },
): string | null {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return `a ${site} request may not use the portal's session`;
  const origin = headers.get("origin");
  if (origin && origin !== "null") {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return "the request's Origin is not a URL";
    }
    const served = headers.get("x-forwarded-host") ?? headers.get("host");
    if (served && host !== served) return `a request from ${origin} may not use the portal's session`;
  } else if (origin === "null") {
    return "a request from an opaque origin may not use the portal's session";
  }
  if (requireJson && method !== "GET" && method !== "HEAD") {
    const type = (headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json")
      return `changes through the session take application/json, not ${type || "no content type"}`;
  }
  return null;
}
