import { randomBytes } from "node:crypto";
import { scopedIdempotencyKey } from "./idempotency";
import type { Tx } from "@/server/db/client";
import { recordVCluster } from "@/server/engine/lifecycle/record-vcluster";
import { AppError } from "@/server/universal/errors";
import { audited } from "@/server/services/audit/write-audit";
import { cidrsOverlap, parseCidr } from "@/server/universal/cidr";
import type { createVClusterInputSchema } from "@/server/universal/vcluster-spec";
import type { z } from "zod";
import { checkQuota } from "../quota";
import { claimOf } from "@/server/universal/claims";
import { columnsOfSpec } from "./spec-columns";
import { checkVersionOnHost } from "./target-chart";
import { loadView } from "./view";
import type { VClusterView } from "@/server/universal/vcluster-view";
import type { ServiceContext } from "@/server/services/service-context";

export type CreateVClusterRequest = z.output<typeof createVClusterInputSchema>;

export interface CreatedVCluster {
  vcluster: VClusterView;
  operationId: string;
  replayed: boolean;
}

/** Hosts may declare their own networks; a vcluster's must not collide with any host it could land on. */
export const HOST_POD_CIDR_LABEL = "network.open-vcluster.io/pod-cidr";
export const HOST_SERVICE_CIDR_LABEL = "network.open-vcluster.io/service-cidr";

export async function checkHostNetworks(tx: Tx, request: CreateVClusterRequest): Promise<void> {
  const hosts = await tx.hostCluster.findMany({ select: { name: true, labels: true } });
  const fields = [
    ["spec.network.podCidr", request.spec.network.podCidr],
    ["spec.network.serviceCidr", request.spec.network.serviceCidr],
  ] as const;
  for (const [field, value] of fields) {
    const wanted = value ? parseCidr(value) : null;
    if (!wanted) continue;
    for (const host of hosts) {
      const labels = (host.labels ?? {}) as Record<string, string>;
      for (const key of [HOST_POD_CIDR_LABEL, HOST_SERVICE_CIDR_LABEL]) {
        const taken = labels[key] ? parseCidr(labels[key]) : null;
        if (taken && cidrsOverlap(wanted, taken)) {
          throw new AppError(
            "INVALID",
            `${field}: ${value} overlaps the network ${labels[key]} of host cluster ${host.name}`,
            { issues: [{ field, message: `overlaps host cluster ${host.name}'s network` }] },
          );
        }
      }
    }
  }
}

export async function createVCluster(
  { db, actor, auditActor, deps }: ServiceContext,
  request: CreateVClusterRequest,
  options: { restoreFrom?: string } = {},
): Promise<CreatedVCluster> {
  const portalChart = deps.chart();
  const idempotencyKey = scopedIdempotencyKey(actor.userId, request.projectId, request.idempotencyKey);
  if (idempotencyKey) {
    const earlier = await db.operation.findUnique({ where: { idempotencyKey } });
    if (earlier?.vclusterId && earlier.kind === "CREATE" && earlier.projectId === request.projectId) {
      return { vcluster: await loadView(db, earlier.vclusterId), operationId: earlier.id, replayed: true };
    }
  }
  const columns = columnsOfSpec(request.spec);
  const action = options.restoreFrom ? "vcluster.clone" : "vcluster.create";
  return audited(
    db,
    auditActor,
    { action, targetType: "vcluster", targetName: request.name, projectId: request.projectId },
    async (tx) => {
      const existing = await tx.vCluster.findUnique({
        where: { projectId_name: { projectId: request.projectId, name: request.name } },
        select: { id: true },
      });
      if (existing) {
        throw new AppError("CONFLICT", `name: a vcluster named ${request.name} already exists in this project`, {
          issues: [{ field: "name", message: "already exists in this project" }],
        });
      }
      await checkHostNetworks(tx, request);
      await checkQuota(tx, request.projectId, claimOf(columns));
      const { vcluster, operation } = await recordVCluster(
        tx,
        {
          ...columns,
          name: request.name,
          namespace: `vc-${request.name}-${randomBytes(3).toString("hex")}`,
          projectId: request.projectId,
          ownerId: actor.userId,
          labels: request.labels,
          annotations: request.annotations,
        },
        {
          hostSelector: request.hostSelector,
          idempotencyKey,
          requestedById: actor.userId,
          ...(options.restoreFrom ? { params: { restoreFrom: options.restoreFrom } } : {}),
        },
      );
      // the chart is known once the vcluster is placed; a refusal here rolls the placement back with everything else
      if (vcluster.hostClusterId)
        await checkVersionOnHost(tx, vcluster.hostClusterId, request.spec.kubernetesVersion, portalChart);
      const view = await loadView(tx, vcluster.id);
      return {
        value: { vcluster: view, operationId: operation.id, replayed: false },
        audit: {
          targetId: vcluster.id,
          after: { spec: request.spec, host: view.hostClusterName, restoreFrom: options.restoreFrom ?? null },
        },
      };
    },
  );
}
