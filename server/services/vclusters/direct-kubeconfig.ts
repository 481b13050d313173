/**
 * The vcluster's own kubeconfig (Secret vc-NAME) for direct access through its ingress, when its host cluster
 * offers direct access or the vcluster has an ingress of its own. It is the vcluster's one admin certificate,
 * shared by everyone who has it and valid after they leave the project, so only OWNERs get it, every download is
 * audited, and the answer says so.
 */
import type { KubeconfigResult } from "@/server/adapters/vcluster/types";
import { targetOf } from "@/server/engine/placement/host-spec";
import { AppError } from "@/server/universal/errors";
import { audited, type AuditEvent } from "@/server/services/audit/write-audit";
import { vclusterFor } from "./access";
import type { ServiceContext } from "@/server/services/service-context";

export interface DirectKubeconfig extends KubeconfigResult {
  fileName: string;
}

export const SHARED_ADMIN_WARNING =
  "Shared admin credentials: this file is the vcluster's own cluster-admin certificate. Anyone holding it keeps full access after leaving the project, and it cannot be revoked except by recreating the vcluster. Prefer the personal kubeconfig through the portal.";

/** Direct access exists when the host exposes virtual APIs or the vcluster has an ingress of its own. */
export function hasDirectAccess(
  vcluster: { ingress: unknown },
  host: { directAccessHostPattern: string | null } | null,
): boolean {
  return !!host?.directAccessHostPattern || (vcluster.ingress as { enabled?: boolean } | null)?.enabled === true;
}

export async function directKubeconfig(
  { db, actor, auditActor, deps }: ServiceContext,
  id: string,
): Promise<DirectKubeconfig> {
  const adapters = deps.hosts;
  const event: AuditEvent = { action: "vcluster.direct_kubeconfig_download", targetType: "vcluster", targetId: id };
  let result: DirectKubeconfig;
  try {
    const { vcluster } = await vclusterFor(db, actor, id, "OWNER");
    const host = vcluster.hostClusterId
      ? await db.hostCluster.findUnique({
          where: { id: vcluster.hostClusterId },
          select: { directAccessHostPattern: true },
        })
      : null;
    if (!hasDirectAccess(vcluster, host))
      throw new AppError(
        "PRECONDITION_FAILED",
        `${vcluster.name} has no direct access: its host cluster does not expose virtual APIs and it has no ingress of its own; use the personal kubeconfig`,
      );
    if (!vcluster.hostClusterId)
      throw new AppError("PRECONDITION_FAILED", `${vcluster.name} is not placed on a host yet`);
    const file = await (await adapters.forHost(vcluster.hostClusterId)).kubeconfig(targetOf(vcluster));
    result = {
      ...file,
      warning: [SHARED_ADMIN_WARNING, file.warning].filter(Boolean).join(" "),
      fileName: `${vcluster.name}.admin.kubeconfig.yaml`,
    };
  } catch (error) {
    return audited(db, auditActor, event, () => Promise.reject(error));
  }
  return audited(db, auditActor, event, async (tx) => {
    const v = await tx.vCluster.findUniqueOrThrow({ where: { id }, select: { name: true, projectId: true } });
    return { value: result, audit: { targetName: v.name, projectId: v.projectId, after: { server: result.server } } };
  });
}
