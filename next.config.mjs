/**
 * Headers on every page and API answer: no framing (clickjacking), no MIME sniffing, no referrer beyond the
 * origin, and a Content-Security-Policy that keeps scripts, styles, connections and forms on this origin.
 * Scripts may be inline because the App Router streams its payload in inline scripts; HSTS is added by the
 * portal's server when PORTAL_URL is https (server/launch/serve.ts), never on plain http.
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

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CSP },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Node-only packages with native or WASM parts are loaded from node_modules at run time, not bundled.
  serverExternalPackages: [
    "pino",
    "pg",
    "@prisma/adapter-pg",
    "@kubernetes/client-node",
    "@electric-sql/pglite",
    "prom-client",
  ],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
