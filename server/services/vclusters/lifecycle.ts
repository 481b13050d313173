/**
 * Lifecycle requests on an existing vcluster. Each checks the caller's role, writes the desired state, the phase
 * change and the operation in one transaction with its audit row; the engine's workers do the rest.
 */
import { scopedIdempotencyKey } from "./idempotency";
import type { Tx } from "@/server/db/client";
import { requestChange } from "@/server/engine/queue/request-change";
import { invalidField } from "@/server/universal/errors";
import type { OperationKind, Prisma, VCluster } from "@/server/generated/prisma/client";
import { audited } from "@/server/services/audit/write-audit";
import type { AuditAction } from "@/server/universal/audit-actions";
import type { ServiceContext } from "../service-context";
import { checkKubernetesVersion, imageTagFor } from "@/server/universal/kubernetes-versions";
import type { VClusterSpec } from "@/server/universal/vcluster-spec";
import { checkQuota } from "../quota";
import { chartForHost, compareChartVersions } from "@/server/adapters/helm/chart-source";
import { reserveSnapshot } from "../snapshots/request-snapshot";
import { vclusterFor } from "./access";
import { claimOf } from "@/server/universal/claims";
import { columnsOfSpec } from "./spec-columns";
import { loadView } from "./view";
import type { VClusterView } from "@/server/universal/vcluster-view";

export interface RequestedChange {
  vcluster: VClusterView;
  operationId: string;
}

interface Change {
  action: AuditAction;
  kind: Exclude<OperationKind, "CREATE">;
  /** validates against the current row and returns the new desired state */
  desired?: (vcluster: VCluster, tx: Tx) => Promise<Prisma.VClusterUpdateInput>;
  params?: Prisma.InputJsonValue;
  idempotencyKey?: string;
}

async function requestLifecycle(
  { db, actor, auditActor }: ServiceContext,
  id: string,
  change: Change,
): Promise<RequestedChange> {
  return audited(db, auditActor, { action: change.action, targetType: "vcluster", targetId: id }, async (tx) => {
    const { vcluster } = await vclusterFor(tx, actor, id, "MEMBER");
    const desired = change.desired ? await change.desired(vcluster, tx) : {};
    const { operation } = await requestChange(
      tx,
      {
        vclusterId: id,
        kind: change.kind,
        params: change.params,
        idempotencyKey: scopedIdempotencyKey(actor.userId, id, change.idempotencyKey),
        requestedById: actor.userId,
      },
      desired,
    );
    const view = await loadView(tx, id);
    return {
      value: { vcluster: view, operationId: operation.id },
      audit: {
        targetName: vcluster.name,
        projectId: vcluster.projectId,
        before: { phase: vcluster.phase, replicas: vcluster.replicas, spec: vcluster.spec },
        after: { phase: view.phase, replicas: view.replicas, spec: view.spec },
      },
    };
  });
}

export function scaleVCluster(
  ctx: ServiceContext,
  { id, replicas, idempotencyKey }: { id: string; replicas: number; idempotencyKey?: string },
) {
  return requestLifecycle(ctx, id, {
    action: "vcluster.scale",
    kind: "SCALE",
    idempotencyKey,
    params: { replicas },
    desired: async (vcluster, tx) => {
      // the backing store is chosen at creation: embedded SQLite takes one replica (pkg/config/validation.go), and
      // vcluster cannot move its data from SQLite to etcd, so only a highly available (deployed etcd) one scales
      if (!vcluster.enableHa && replicas > 1)
        throw invalidField(
          "replicas",
          `${vcluster.name} keeps its state in embedded SQLite, which runs exactly 1 replica; create a highly available vcluster (deployed etcd) to run more`,
        );
      if (vcluster.enableHa && replicas < 2)
        throw invalidField("replicas", `a highly available vcluster runs at least 2 control plane replicas`);
      if (replicas === vcluster.replicas)
        throw invalidField("replicas", `${vcluster.name} already runs ${replicas} replica${replicas === 1 ? "" : "s"}`);
      await checkQuota(tx, vcluster.projectId, claimOf({ ...vcluster, replicas }), vcluster.id);
      const spec = vcluster.spec as unknown as VClusterSpec;
      return { replicas, spec: { ...spec, replicas } as unknown as Prisma.InputJsonValue };
    },
  });
}

function partsOf(version: string): [number, number, number] {
  const [major, minor, patch = 0] = version.replace(/^v/, "").split(".").map(Number);
  return [major, minor, patch];
}

/** Safe upgrades only: never down, and one minor version at a time, as Kubernetes itself supports. */
function checkVersionChange(from: string, to: string): void {
  if (from === to) return;
  const [fromMajor, fromMinor, fromPatch] = partsOf(from);
  const [toMajor, toMinor, toPatch] = partsOf(to);
  if (toMajor !== fromMajor || toMinor < fromMinor || (toMinor === fromMinor && toPatch < fromPatch)) {
    throw invalidField(
      "spec.kubernetesVersion",
      `cannot go from ${from} down to ${to}; Kubernetes does not support downgrades`,
    );
  }
  if (toMinor > fromMinor + 1)
    throw invalidField(
      "spec.kubernetesVersion",
      `upgrade one minor version at a time: ${from} → ${fromMajor}.${fromMinor + 1}.x first`,
    );
}

export function updateVCluster(
  ctx: ServiceContext,
  { id, spec, labels }: { id: string; spec: VClusterSpec; labels?: Record<string, string> },
) {
  return requestLifecycle(ctx, id, {
    action: "vcluster.update",
    kind: "UPDATE",
    desired: async (vcluster, tx) => {
      const current = vcluster.spec as unknown as VClusterSpec;
      checkVersionChange(vcluster.kubernetesVersion, spec.kubernetesVersion);
      // the chart release it runs decides which Kubernetes images exist (rows may keep an older patch unchanged)
      if (vcluster.chartVersion && spec.kubernetesVersion !== vcluster.kubernetesVersion)
        checkKubernetesVersion(spec.kubernetesVersion, vcluster.chartVersion);
      if (spec.distro !== vcluster.distro) throw invalidField("spec.distro", "the distro cannot change after creation");
      if (spec.storage.enablePersistence !== vcluster.enablePersistence)
        throw invalidField("spec.storage.enablePersistence", "persistence cannot be switched after creation");
      if (
        (spec.network.podCidr ?? null) !== vcluster.podCidr ||
        (spec.network.serviceCidr ?? null) !== vcluster.serviceCidr
      ) {
        throw invalidField("spec.network", "pod and service CIDRs cannot change after creation");
      }
      const columns = columnsOfSpec(spec);
      if (
        vcluster.persistenceSizeBytes !== null &&
        columns.persistenceSizeBytes !== null &&
        columns.persistenceSizeBytes < vcluster.persistenceSizeBytes
      ) {
        throw invalidField("spec.storage.persistenceSize", "volumes cannot shrink; keep the size or grow it");
      }
      if (JSON.stringify(current) === JSON.stringify(spec) && !labels) throw invalidField("spec", "nothing changed");
      await checkQuota(tx, vcluster.projectId, claimOf({ ...vcluster, ...columns }), vcluster.id);
      return { ...columns, ...(labels ? { labels } : {}) };
    },
  });
}

/**
 * Moves a vcluster to the chart version its host pins now (`helm upgrade`), as an update of its own: only forward,
 * and only to the pinned version, so what runs is always a version the operators chose.
 */
export function upgradeVClusterChart(ctx: ServiceContext, { id, chartVersion }: { id: string; chartVersion: string }) {
  return requestLifecycle(ctx, id, {
    action: "vcluster.upgrade_chart",
    kind: "UPDATE",
    params: { chartVersion },
    desired: async (vcluster, tx) => {
      if (!vcluster.hostClusterId) throw invalidField("chartVersion", `${vcluster.name} is not placed on a host yet`);
      const host = await tx.hostCluster.findUniqueOrThrow({
        where: { id: vcluster.hostClusterId },
        select: { name: true, chartRef: true, chartVersion: true },
      });
      const pinned = chartForHost(host, ctx.deps.chart()).version;
      if (chartVersion !== pinned)
        throw invalidField(
          "chartVersion",
          `host ${host.name} pins chart version ${pinned}; a vcluster can move only to that version`,
        );
      const current = vcluster.chartVersion;
      if (current && compareChartVersions(chartVersion, current) <= 0) {
        throw invalidField(
          "chartVersion",
          current === chartVersion
            ? `${vcluster.name} already runs chart ${current}`
            : `cannot go from chart ${current} down to ${chartVersion}; vcluster does not support downgrades`,
        );
      }
      // the new release must ship an image of the minor it runs
      imageTagFor(vcluster.kubernetesVersion, chartVersion);
      return {};
    },
  });
}

/** As the seed's suspend flow: optionally a snapshot first, in the same operation, then the pause. */
export function suspendVCluster(ctx: ServiceContext, { id, snapshotFirst }: { id: string; snapshotFirst: boolean }) {
  if (!snapshotFirst) return requestLifecycle(ctx, id, { action: "vcluster.suspend", kind: "SUSPEND" });
  const { db, actor, auditActor } = ctx;
  return audited(db, auditActor, { action: "vcluster.suspend", targetType: "vcluster", targetId: id }, async (tx) => {
    const { vcluster } = await vclusterFor(tx, actor, id, "MEMBER");
    const snapshot = await reserveSnapshot(tx, vcluster, undefined, actor.userId);
    const { operation } = await requestChange(tx, {
      vclusterId: id,
      kind: "SUSPEND",
      params: { snapshotFirst: true, snapshotId: snapshot.id },
      requestedById: actor.userId,
    });
    return {
      value: { vcluster: await loadView(tx, id), operationId: operation.id },
      audit: {
        targetName: vcluster.name,
        projectId: vcluster.projectId,
        after: { snapshotFirst: true, snapshotId: snapshot.id },
      },
    };
  });
}

export function resumeVCluster(ctx: ServiceContext, { id }: { id: string }) {
  return requestLifecycle(ctx, id, { action: "vcluster.resume", kind: "RESUME" });
}

export function recoverVCluster(ctx: ServiceContext, { id }: { id: string }) {
  return requestLifecycle(ctx, id, { action: "vcluster.recover", kind: "RECOVER" });
}

export function deleteVCluster(
  ctx: ServiceContext,
  { id, confirmName, force }: { id: string; confirmName: string; force: boolean },
) {
  return requestLifecycle(ctx, id, {
    action: force ? "vcluster.force_delete" : "vcluster.delete",
    kind: force ? "FORCE_DELETE" : "DELETE",
    desired: async (vcluster) => {
      if (confirmName !== vcluster.name)
        throw invalidField("confirmName", `type the vcluster's name (${vcluster.name}) to confirm deletion`);
      return {};
    },
  });
}
