import { TEST_CREDENTIALS_KEY } from "./engine-harness";

/**
 * The environment the API layer reads (sealing key, auth secret, database) for in-process tests of procedures.
 * Host adapters and the rate limiter use the process-wide client, so DATABASE_URL must be the test database.
 */
export function setPortalEnv(databaseUrl: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    HOST_CREDENTIALS_KEY: TEST_CREDENTIALS_KEY,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "x".repeat(40),
    DATABASE_URL: databaseUrl,
    RATE_LIMIT_MUTATIONS_PER_MINUTE: "1000000",
    RATE_LIMIT_HOST_READS_PER_MINUTE: "1000000",
    ...extra,
  });
}
