/**
 * `npm run bench`: every benchmark, each in its own process so that memory figures are its own. They print
 * figures and assert nothing. Benchmarks that need PostgreSQL use DATABASE_URL (default: the local server).
 */
import path from "node:path";
import { run } from "./build";

const BENCHMARKS = ["hostsim/bench.ts", "server/engine/bench.ts", "server/engine/fault-bench.ts", "server/services/snapshots/snapshot-bench.ts", "server/services/vclusters/list-bench.ts", "server/api/kube-gateway/gateway-bench.ts", "server/launch/bench-web.ts"];

for (const file of BENCHMARKS) {
  console.log(`\n=== ${file}`);
  await run(process.execPath, ["--import", "tsx", path.resolve(file)], { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: "warn" } });
}
