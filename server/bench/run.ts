/**
 * `npm run bench`: every benchmark, each in its own process so that memory figures are its own. They print
 * figures and assert nothing. Benchmarks that need PostgreSQL use DATABASE_URL (default: the local server).
 */
import path from "node:path";
import { run } from "@/server/launch/build";

const BENCHMARKS = [
  "hostsim/bench.ts",
  "server/bench/engine.ts",
  "server/bench/faults.ts",
  "server/bench/snapshots.ts",
  "server/bench/vcluster-list.ts",
  "server/bench/kube-gateway.ts",
  "server/bench/web.ts",
];

for (const file of BENCHMARKS) {
  console.log(`\n=== ${file}`);
  await run(process.execPath, ["--import", "tsx", path.resolve(file)], {
    cwd: process.cwd(),
    env: { ...process.env, LOG_LEVEL: "warn" },
  });
}
