/**
 * Engine benchmark (prints figures, asserts nothing): create → RUNNING latency on a host that is ready at once,
 * sequentially (median, p99 over 100) and 100 concurrent creates to all RUNNING. On the PostgreSQL server at
 * DATABASE_URL (default: the local one), in a scratch database.
 */
import { pathToFileURL } from "node:url";
import {
  createOwnerAndProject,
  recordTestVCluster,
  registerTestHost,
  startTestHost,
  testWorker,
  waitForOperation,
} from "@/server/testing/engine-harness";
import { createTestDatabase } from "@/server/testing/test-database";

process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
process.env.LOG_LEVEL ??= "warn";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function benchEngine(count = 100): Promise<void> {
  const t = await createTestDatabase();
  const sim = await startTestHost({ podReadyDelayMs: 0, nodes: 20, nodeCpu: "64", nodeMemory: "256Gi" });
  const worker = testWorker(t.db, t.url, { pollMs: 1_000, statusPollMs: 10, concurrency: 32 });
  try {
    await registerTestHost(t.db, "bench", sim.kubeconfig);
    await worker.start();
    const { owner, project } = await createOwnerAndProject(t.db);

    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const { operation } = await recordTestVCluster(t.db, project.id, owner.id, `seq-${i}`);
      await waitForOperation(t.db, operation.id, 60_000, 2);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `engine: create → RUNNING, sequential x${count}: median ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms (target median ≤ 150 ms)`,
    );

    const started = performance.now();
    const ops = await Promise.all(
      Array.from({ length: count }, (_, i) => recordTestVCluster(t.db, project.id, owner.id, `par-${i}`)),
    );
    const done = await Promise.all(ops.map((r) => waitForOperation(t.db, r.operation.id, 600_000)));
    const seconds = (performance.now() - started) / 1000;
    const failed = done.filter((op) => op.state !== "SUCCEEDED").length;
    console.log(
      `engine: ${count} concurrent creates → all RUNNING in ${seconds.toFixed(2)} s, ${failed} failed (target ≤ 5 s)`,
    );
  } finally {
    await worker.stop();
    await sim.close();
    await t.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchEngine();
