/**
 * Snapshot and restore, as steps of operations: export the virtual cluster's objects through its own API into S3
 * (a gzip NDJSON payload and a manifest under <project>/<vcluster>/<snapshot>/), and apply a verified payload back.
 */
import { PassThrough, Readable } from "node:stream";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import { applyObjects } from "@/server/adapters/snapshot/apply";
import { exportCluster } from "@/server/adapters/snapshot/export";
import { SNAPSHOT_CONTENT_TYPE, type SnapshotManifest } from "@/server/adapters/snapshot/format";
import { readSnapshot } from "@/server/adapters/snapshot/read";
import { AppError } from "@/server/universal/errors";
import type { Prisma, Snapshot, VCluster } from "@/server/generated/prisma/client";
import { logger } from "@/server/observability/logger";
import { targetOf } from "@/server/engine/placement/host-spec";
import type { ExecutionContext } from "@/server/engine/lifecycle/executors";

export const PAYLOAD_FILE = "objects.ndjson.gz";
export const MANIFEST_FILE = "manifest.json";

/** Named by the vcluster's name, which the row keeps, so a snapshot stays reachable after its vcluster is gone. */
export function snapshotPrefix(snapshot: Pick<Snapshot, "id" | "projectId" | "vclusterName">): string {
  return `${snapshot.projectId}/${snapshot.vclusterName}/${snapshot.id}/`;
}

export interface StoredManifest extends SnapshotManifest {
  vcluster: { id: string; name: string; spec: unknown };
}

/** What a finished snapshot writes to its row, in the operation's completing transaction. */
export interface SnapshotResult {
  id: string;
  data: Prisma.SnapshotUpdateInput;
}

async function settle<T>(promises: [Promise<T>, Promise<unknown>]): Promise<T> {
  const [first, second] = await Promise.allSettled(promises);
  if (first.status === "rejected") throw first.reason;
  if (second.status === "rejected") throw second.reason;
  return first.value;
}

export async function takeSnapshot(
  ctx: ExecutionContext,
  store: ObjectStore,
  snapshotId: string,
): Promise<SnapshotResult> {
  const snapshot = await ctx.db.snapshot.findUniqueOrThrow({ where: { id: snapshotId } });
  const prefix = snapshotPrefix(snapshot);
  const body = new PassThrough();
  try {
    await ctx.setStep("exporting objects", 40);
    const upload = store
      .putStream(`${prefix}${PAYLOAD_FILE}`, body, { contentType: SNAPSHOT_CONTENT_TYPE })
      .catch((error: unknown) => {
        // The exporter writes into `body`; without a reader it would wait forever, so fail it too.
        body.destroy(error instanceof Error ? error : new Error(String(error)));
        throw error;
      });
    const manifest = await ctx.adapter.withVirtualApi(targetOf(ctx.vcluster), (kubeconfig) =>
      settle([exportCluster(kubeconfig, body), upload]),
    );
    const stored: StoredManifest = {
      ...manifest,
      vcluster: { id: ctx.vcluster.id, name: ctx.vcluster.name, spec: ctx.vcluster.spec },
    };
    await store.putStream(`${prefix}${MANIFEST_FILE}`, Readable.from([JSON.stringify(stored, null, 2)]), {
      contentType: "application/json",
    });
    return {
      id: snapshotId,
      data: {
        status: "READY",
        sizeBytes: BigInt(manifest.sizeBytes),
        objectCount: manifest.objectCount,
        checksum: manifest.sha256,
        storageUri: store.uri(prefix),
        kubernetesVersion: manifest.kubernetesVersion,
        manifest: stored as unknown as Prisma.InputJsonValue,
        completedAt: new Date(),
        reason: null,
      },
    };
  } catch (error) {
    // Each attempt starts over; what it wrote must not outlive it, whatever the next attempt does.
    await store
      .deletePrefix(prefix)
      .catch((cleanup: unknown) =>
        logger().warn({ err: cleanup, prefix }, "could not remove a failed snapshot's objects"),
      );
    throw error;
  }
}

/**
 * Restores a READY snapshot into `vcluster`. The payload is verified against its checksum before anything is
 * applied; a refusal at that point is PRECONDITION_FAILED, which leaves the cluster as it was.
 */
export async function restoreSnapshot(
  ctx: ExecutionContext,
  store: ObjectStore,
  vcluster: VCluster,
  snapshotId: string,
  prune: boolean,
): Promise<void> {
  const snapshot = await ctx.db.snapshot.findUniqueOrThrow({ where: { id: snapshotId } });
  if (snapshot.status !== "READY" || !snapshot.checksum) {
    throw new AppError(
      "PRECONDITION_FAILED",
      `snapshot ${snapshot.name} is ${snapshot.status.toLowerCase()}, not ready`,
    );
  }
  const payload = await store.getStream(`${snapshotPrefix(snapshot)}${PAYLOAD_FILE}`);
  const objects = readSnapshot(payload, snapshot.checksum);
  await ctx.setStep("applying objects", 60);
  await ctx.adapter.withVirtualApi(targetOf(vcluster), (kubeconfig) => applyObjects(kubeconfig, objects, { prune }));
}
