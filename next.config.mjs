import { SECURITY_HEADERS } from "./server/security/security-headers.mjs";

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
