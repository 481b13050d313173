/** SnapshotService: snapshot, list, delete, restore (with preview) and clone, all authorized and audited. */
import { previewRestore, type RestorePlan } from "@/server/adapters/snapshot/apply";
import { readSnapshot } from "@/server/adapters/snapshot/read";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { targetOf } from "@/server/engine/placement/host-spec";
import { requestChange } from "@/server/engine/queue/request-change";
import { PAYLOAD_FILE, snapshotPrefix, type StoredManifest } from "@/server/engine/snapshots/snapshot-steps";
import { AppError } from "@/server/universal/errors";
import type { Snapshot } from "@/server/generated/prisma/client";
import { audited } from "@/server/services/audit/write-audit";
import { specSchema } from "@/server/universal/vcluster-spec";
import { requireRole, roleIn } from "../access/project-role";
import { vclusterFor } from "../vclusters/access";
import { createVCluster, type CreatedVCluster } from "../vclusters/create-vcluster";
import { loadView } from "../vclusters/view";
import type { VClusterView } from "@/server/universal/vcluster-view";
import { requestSnapshot, SNAPSHOT_MAX_ATTEMPTS } from "./request-snapshot";
import { loadSnapshotView, SNAPSHOT_VIEW_INCLUDE, snapshotViewOf, type SnapshotView } from "./snapshot-view";
import type { ServiceContext } from "@/server/services/service-context";

export interface SnapshotRequested {
  snapshot: SnapshotView;
  vcluster: VClusterView;
  operationId: string;
}

export function createSnapshot(
  { db, actor, auditActor }: ServiceContext,
  { vclusterId, name }: { vclusterId: string; name?: string },
): Promise<SnapshotRequested> {
  return audited(
    db,
    auditActor,
    { action: "snapshot.create", targetType: "vcluster", targetId: vclusterId },
    async (tx) => {
      const { vcluster } = await vclusterFor(tx, actor, vclusterId, "MEMBER");
      const { snapshot, operation } = await requestSnapshot(tx, vcluster, name, actor.userId);
      return {
        value: {
          snapshot: await loadSnapshotView(tx, snapshot.id),
          vcluster: await loadView(tx, vclusterId),
          operationId: operation.id,
        },
        audit: {
          targetName: vcluster.name,
          projectId: vcluster.projectId,
          after: { snapshotId: snapshot.id, name: snapshot.name },
        },
      };
    },
  );
}

/** A snapshot the caller may read (VIEWER) or act on (MEMBER); NOT_FOUND outside their projects. */
async function snapshotFor(db: Db, actor: Actor, id: string, minimum: "VIEWER" | "MEMBER"): Promise<Snapshot> {
  const snapshot = await db.snapshot.findUnique({ where: { id } });
  const role = snapshot ? await roleIn(db, actor, snapshot.projectId) : null;
  return requireRole(snapshot && role ? { snapshot, role } : null, minimum, "snapshot").snapshot;
}

export async function getSnapshot({ db, actor }: ServiceContext, id: string): Promise<SnapshotView> {
  await snapshotFor(db, actor, id, "VIEWER");
  return loadSnapshotView(db, id);
}

export async function listSnapshots(
  { db, actor }: ServiceContext,
  query: { vclusterId?: string; projectId?: string; limit: number },
): Promise<SnapshotView[]> {
  const visible = actor.isPlatformAdmin
    ? {}
    : {
        projectId: {
          in: (await db.membership.findMany({ where: { userId: actor.userId }, select: { projectId: true } })).map(
            (m) => m.projectId,
          ),
        },
      };
  // One read: a snapshot that retention removes meanwhile is simply not listed.
  const rows = await db.snapshot.findMany({
    where: {
      AND: [
        visible,
        query.vclusterId ? { vclusterId: query.vclusterId } : {},
        query.projectId ? { projectId: query.projectId } : {},
      ],
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit,
    include: SNAPSHOT_VIEW_INCLUDE,
  });
  return rows.map(snapshotViewOf);
}

/** The store is built only once the caller is authorized, so a refusal never depends on the S3 settings. */
/** Objects in S3 first, then the row: a failure in between leaves the row DELETING, and deleting again finishes it. */
export async function deleteSnapshot(
  { db, actor, auditActor, deps }: ServiceContext,
  id: string,
): Promise<{ id: string }> {
  const store = deps.objectStore;
  const snapshot = await snapshotFor(db, actor, id, "MEMBER");
  await audited(
    db,
    auditActor,
    {
      action: "snapshot.delete",
      targetType: "snapshot",
      targetId: id,
      targetName: snapshot.name,
      projectId: snapshot.projectId,
    },
    async (tx) => {
      const { count } = await tx.snapshot.updateMany({
        where: { id, status: { in: ["READY", "FAILED", "DELETING"] } },
        data: { status: "DELETING" },
      });
      if (count === 0)
        throw new AppError(
          "CONFLICT",
          `snapshot ${snapshot.name} is still being created; delete it once it is READY or FAILED`,
        );
      return { value: null, audit: { before: { status: snapshot.status, storageUri: snapshot.storageUri } } };
    },
  );
  await store().deletePrefix(snapshotPrefix(snapshot));
  await db.snapshot.delete({ where: { id } });
  return { id };
}

async function readySnapshotFor(db: Db, actor: Actor, snapshotId: string): Promise<Snapshot> {
  const snapshot = await snapshotFor(db, actor, snapshotId, "MEMBER");
  if (snapshot.status !== "READY")
    throw new AppError("PRECONDITION_FAILED", `snapshotId: snapshot ${snapshot.name} is ${snapshot.status}, not READY`);
  return snapshot;
}

/** A restore of a vcluster from one of its snapshots; `prune` also deletes what the snapshot does not hold. */
interface RestoreRequest {
  vclusterId: string;
  snapshotId: string;
  prune: boolean;
}

export async function restoreVCluster(
  { db, actor, auditActor }: ServiceContext,
  { vclusterId, snapshotId, prune }: RestoreRequest,
) {
  const snapshot = await readySnapshotFor(db, actor, snapshotId);
  return audited(
    db,
    auditActor,
    { action: "vcluster.restore", targetType: "vcluster", targetId: vclusterId },
    async (tx) => {
      const { vcluster } = await vclusterFor(tx, actor, vclusterId, "MEMBER");
      if (snapshot.projectId !== vcluster.projectId)
        throw new AppError("INVALID", "snapshotId: the snapshot belongs to another project; clone it instead");
      const { operation } = await requestChange(tx, {
        vclusterId,
        kind: "RESTORE",
        params: { snapshotId, prune },
        requestedById: actor.userId,
        maxAttempts: SNAPSHOT_MAX_ATTEMPTS,
      });
      return {
        value: { vcluster: await loadView(tx, vclusterId), operationId: operation.id },
        audit: { targetName: vcluster.name, projectId: vcluster.projectId, after: { snapshotId, prune } },
      };
    },
  );
}

/** What a restore would create, change and (with prune) delete, read from the verified snapshot and the live cluster. */
export async function previewVClusterRestore(
  { db, actor, deps }: ServiceContext,
  { vclusterId, snapshotId, prune }: RestoreRequest,
): Promise<RestorePlan> {
  const adapters = deps.hosts;
  const store = deps.objectStore;
  const snapshot = await readySnapshotFor(db, actor, snapshotId);
  const { vcluster } = await vclusterFor(db, actor, vclusterId, "MEMBER");
  if (!vcluster.hostClusterId || vcluster.phase !== "RUNNING")
    throw new AppError(
      "PRECONDITION_FAILED",
      `${vcluster.name} must be RUNNING to preview a restore; it is ${vcluster.phase}`,
    );
  const adapter = await adapters.forHost(vcluster.hostClusterId);
  const objects = readSnapshot(
    await store().getStream(`${snapshotPrefix(snapshot)}${PAYLOAD_FILE}`),
    snapshot.checksum ?? "",
  );
  return adapter.withVirtualApi(targetOf(vcluster), (kubeconfig) => previewRestore(kubeconfig, objects, { prune }));
}

/** A new vcluster with the snapshot's spec, restored from it once it runs (loft-sh/vcluster#994). */
export async function cloneFromSnapshot(
  ctx: ServiceContext,
  { snapshotId, ...target }: { snapshotId: string; name: string; projectId?: string },
): Promise<CreatedVCluster> {
  const { db, actor } = ctx;
  const snapshot = await readySnapshotFor(db, actor, snapshotId);
  const projectId = target.projectId ?? snapshot.projectId;
  const role = await roleIn(db, actor, projectId);
  requireRole(role && { role }, "MEMBER", "projectId: project", "the target project");
  const manifest = snapshot.manifest as unknown as StoredManifest | null;
  const spec = specSchema.safeParse(manifest?.vcluster.spec ?? {});
  if (!spec.success)
    throw new AppError(
      "PRECONDITION_FAILED",
      "the snapshot's vcluster spec is no longer valid here; create a vcluster and restore into it instead",
    );
  return createVCluster(
    ctx,
    { projectId, name: target.name, labels: {}, annotations: {}, spec: spec.data, hostSelector: {} },
    { restoreFrom: snapshotId },
  );
}
