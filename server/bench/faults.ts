/**
 * Convergence benchmark (prints figures, asserts nothing): full lifecycles under 20 % injected host faults (500s and
 * unanswered requests, fixed seed), counting operations that succeeded without manual action and the median time
 * from a create request to RUNNING. On the PostgreSQL server at DATABASE_URL, in a scratch database.
 */
import { pathToFileURL } from "node:url";
import { runLifecyclesUnderFaults, twentyPercentFaults } from "@/server/testing/fault-lifecycle";
import { createTestDatabase } from "@/server/testing/test-database";

process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
process.env.LOG_LEVEL ??= "warn";

export async function benchConvergence(count = 6, seed = 14): Promise<void> {
  const t = await createTestDatabase();
  try {
    const run = await runLifecyclesUnderFaults(t.db, t.url, {
      count,
      faults: twentyPercentFaults(seed),
      prefix: "bench",
    });
    const converged = run.operations.filter((op) => op.state === "SUCCEEDED").length;
    const expected = count * 5;
    const sorted = [...run.timesToRunning].sort((a, b) => a - b);
    const median = sorted.length ? `${(sorted[Math.floor((sorted.length - 1) / 2)] / 1000).toFixed(1)} s` : "n/a";
    const retried = run.operations.filter((op) => op.attempts > 1).length;
    console.log(
      `engine: under 20 % host faults (seed ${seed}), ${converged}/${expected} operations of ${count} lifecycles converged without manual action (${retried} needed more than one attempt, ${run.recovers} recovers); create → RUNNING median ${median} (target ≥ 95 % converged)`,
    );
  } finally {
    await t.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchConvergence();
