import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: ["server/**/*.test.ts", "hostsim/**/*.test.ts", "components/**/*.test.ts"],
    environment: "node",
    // the audit chain's key, shared by the test process and the portals it starts, so both can verify the chain
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? "fatal",
      AUDIT_CHAIN_KEY: process.env.AUDIT_CHAIN_KEY ?? "vitest-audit-chain-key-0123456789abcdef",
    },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
