/**
 * Snapshot benchmark (prints figures, asserts nothing): snapshot and restore of a virtual cluster holding 10 000
 * objects, with the time of a raw S3 upload of the same payload for the ratio. Peak RSS is the whole process's
 * (simulated host, embedded S3 and engine together), so it is an upper bound on the engine's own.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import { requestChange } from "@/server/engine/queue/request-change";
import { PAYLOAD_FILE, snapshotPrefix } from "@/server/engine/snapshots/snapshot-steps";
import { startEmbeddedS3 } from "@/server/launch/embedded-s3";
import { createVClusterAdapter } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import {
  createOwnerAndProject,
  recordTestVCluster,
  registerTestHost,
  startTestHost,
  testWorker,
  waitForOperation,
} from "@/server/testing/engine-harness";
import { createTestDatabase } from "@/server/testing/test-database";
import { requestSnapshot } from "@/server/services/snapshots/request-snapshot";
import { testChart } from "@/server/testing/test-chart";

process.env.LOG_LEVEL ??= "warn";

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export async function benchSnapshots(objects = 10_000): Promise<void> {
  const t = await createTestDatabase();
  const s3Dir = await mkdtemp(path.join(tmpdir(), "ovc-bench-s3-"));
  const s3 = await startEmbeddedS3({ dataDir: s3Dir });
  const store = objectStoreFrom({
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    SNAPSHOT_ENCRYPTION_KEY: "ab".repeat(32),
  });
  const sim = await startTestHost({ podReadyDelayMs: 0 });
  const worker = testWorker(t.db, t.url, { objectStore: () => store, readyTimeoutMs: 600_000 });
  try {
    await registerTestHost(t.db, "bench", sim.kubeconfig);
    await worker.start();
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "bench");
    await waitForOperation(t.db, operation.id);
    const adapter = createVClusterAdapter({ kubeconfig: sim.kubeconfig, chart: testChart() });
    const target = {
      vclusterId: vcluster.id,
      projectId: project.id,
      name: vcluster.name,
      namespace: vcluster.namespace,
    };
    const configMaps = (kubeconfig: string) => {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      return kc.makeApiClient(CoreV1Api);
    };
    await adapter.withVirtualApi(target, async (kubeconfig) => {
      const core = configMaps(kubeconfig);
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < objects) {
            const i = next++;
            await core.createNamespacedConfigMap({
              namespace: "default",
              body: {
                metadata: { name: `cm-${i}`, labels: { bench: "yes" } },
                data: { index: String(i), payload: "x".repeat(200) },
              },
            });
          }
        }),
      );
    });

    let started = performance.now();
    const { snapshot, operation: snap } = await t.db.$transaction((tx) =>
      requestSnapshot(tx, vcluster, "bench", owner.id),
    );
    await waitForOperation(t.db, snap.id, 600_000, 20);
    const snapshotSeconds = (performance.now() - started) / 1000;
    const row = await t.db.snapshot.findUniqueOrThrow({ where: { id: snapshot.id } });

    const payloadKey = `${snapshotPrefix(row)}${PAYLOAD_FILE}`;
    started = performance.now();
    await store.putStream(`raw/${PAYLOAD_FILE}`, await store.getStream(payloadKey), {
      contentType: "application/gzip",
    });
    const rawSeconds = (performance.now() - started) / 1000;

    await adapter.withVirtualApi(target, (kubeconfig) =>
      configMaps(kubeconfig).deleteCollectionNamespacedConfigMap({ namespace: "default", labelSelector: "bench=yes" }),
    );
    started = performance.now();
    const restore = await t.db.$transaction((tx) =>
      requestChange(tx, { vclusterId: vcluster.id, kind: "RESTORE", params: { snapshotId: snapshot.id } }),
    );
    const done = await waitForOperation(t.db, restore.operation.id, 600_000, 20);
    const restoreSeconds = (performance.now() - started) / 1000;

    console.log(`snapshots: ${row.objectCount} objects, payload ${mb(Number(row.sizeBytes))} MB gzip`);
    console.log(
      `snapshots: snapshot ${snapshotSeconds.toFixed(2)} s (${(snapshotSeconds / rawSeconds).toFixed(2)}× a raw S3 upload of the same bytes: ${rawSeconds.toFixed(2)} s), restore ${restoreSeconds.toFixed(2)} s (${done.state}) (targets: each ≤ 5 s, ≤ 1.5× raw upload)`,
    );
    console.log(
      `snapshots: peak RSS of the whole process (host simulator, S3 and engine together) ${mb(process.resourceUsage().maxRSS * 1024)} MB (target ≤ 250 MB for the engine)`,
    );
  } finally {
    await worker.stop();
    await sim.close();
    store.destroy();
    await s3.stop();
    await rm(s3Dir, { recursive: true, force: true });
    await t.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchSnapshots();
