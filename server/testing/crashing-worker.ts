/**
 * A worker process that SIGKILLs itself when an operation of one kind reaches one step: the crash test's
 * fault-injection hook, so that a worker dies at a known point rather than by timing luck.
 *   node --import tsx server/testing/crashing-worker.ts
 *   env: DATABASE_URL, HOST_CREDENTIALS_KEY, VCLUSTER_CHART, CRASH_AT=KIND:step, and S3_* for snapshots
 */
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import { createDb } from "@/server/db/client";
import { createAdapterProvider } from "@/server/engine/placement/host-adapters";
import { OperationWorker } from "@/server/engine/queue/worker";
import { testChart } from "./test-chart";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const [kind, step] = required("CRASH_AT").split(/:(.*)/s);
const db = createDb(required("DATABASE_URL"));
const credentialsKey = required("HOST_CREDENTIALS_KEY");
const e = process.env;
const store = e.S3_BUCKET
  ? objectStoreFrom({
      S3_ENDPOINT: e.S3_ENDPOINT,
      S3_BUCKET: e.S3_BUCKET,
      S3_REGION: e.S3_REGION ?? "us-east-1",
      S3_ACCESS_KEY_ID: e.S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: e.S3_SECRET_ACCESS_KEY,
      HOST_CREDENTIALS_KEY: credentialsKey,
    })
  : undefined;
const worker = new OperationWorker(db, {
  adapters: createAdapterProvider(db, credentialsKey, { chart: testChart(), requestTimeoutMs: 10_000 }),
  objectStore: store ? () => store : undefined,
  // the dead worker's short lease is what lets the survivor take over soon
  leaseMs: 1_500,
  pollMs: 50,
  readyTimeoutMs: 60_000,
  statusPollMs: 50,
  onStep: async (op, reached) => {
    if (op.kind === kind && reached === step) process.kill(process.pid, "SIGKILL");
  },
});
await worker.start();
