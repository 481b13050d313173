/**
 * Headers on every page and API answer: no framing (clickjacking), no MIME sniffing, no referrer beyond the
 * origin, and a Content-Security-Policy that keeps scripts, styles, connections and forms on this origin.
 * Scripts may be inline because the App Router streams its payload in inline scripts; HSTS is added by the
 * portal's server when PORTAL_URL is https (server/launch/serve.ts), never on plain http. Plain JavaScript so that
 * next.config.mjs can import it; the portal's server sets the same on the answers it gives without Next (the tRPC API).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

export const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CSP },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];
