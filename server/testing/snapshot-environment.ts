/** A test database, embedded S3 for snapshots, a simulated host registered as `local` and a running worker. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HostSim } from "@open-vcluster/hostsim";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import type { OperationWorker, WorkerOptions } from "@/server/engine/queue/worker";
import { startEmbeddedS3 } from "@/server/launch/embedded-s3";
import { registerTestHost, startTestHost, TEST_CREDENTIALS_KEY, testWorker } from "./engine-harness";
import { setPortalEnv } from "./portal-env";
import { createTestDatabase, type TestDatabase } from "./test-database";

export interface SnapshotEnvironment {
  t: TestDatabase;
  sim: HostSim;
  store: ObjectStore;
  worker: OperationWorker;
  stop(): Promise<void>;
}

export async function startSnapshotEnvironment(
  options: { portalEnv?: Record<string, string>; worker?: Partial<WorkerOptions> } = {},
): Promise<SnapshotEnvironment> {
  const t = await createTestDatabase();
  const s3Dir = await mkdtemp(path.join(tmpdir(), "ovc-s3-"));
  const s3 = await startEmbeddedS3({ dataDir: s3Dir });
  const settings = {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  setPortalEnv(t.url, { ...settings, ...options.portalEnv });
  // encrypted as the portal's own store is (the key derived from HOST_CREDENTIALS_KEY)
  const store = objectStoreFrom({ ...settings, HOST_CREDENTIALS_KEY: TEST_CREDENTIALS_KEY });
  const sim = await startTestHost();
  await registerTestHost(t.db, "local", sim.kubeconfig);
  const worker = testWorker(t.db, t.url, { objectStore: () => store, ...options.worker });
  await worker.start();
  return {
    t,
    sim,
    store,
    worker,
    async stop() {
      await worker.stop();
      await sim.close();
      store.destroy();
      await s3.stop();
      await rm(s3Dir, { recursive: true, force: true });
      await t.close();
    },
  };
}
