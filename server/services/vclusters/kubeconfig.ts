import type { Actor } from "@/server/auth/actor";
import type { KubeconfigResult } from "@/server/adapters/vcluster/types";
import type { Db } from "@/server/db/client";
import { targetOf } from "@/server/engine/host-spec";
import type { AdapterProvider } from "@/server/engine/worker";
import { AppError } from "@/server/errors";
import { audited, type AuditActor } from "@/server/services/audit/write-audit";
import { vclusterFor } from "./access";

export interface KubeconfigDownload extends KubeconfigResult {
  vclusterName: string;
  fileName: string;
}

/**
 * A kubeconfig is admin access to the virtual cluster, so it takes the MEMBER role and every download is audited
 * (the host is read outside the audit transaction, so a slow host holds no database lock).
 */
export async function downloadKubeconfig(db: Db, adapters: AdapterProvider, actor: Actor, auditActor: AuditActor, id: string): Promise<KubeconfigDownload> {
  const event = { action: "vcluster.kubeconfig_download", targetType: "vcluster", targetId: id };
  let result: KubeconfigDownload;
  try {
    const { vcluster } = await vclusterFor(db, actor, id, "MEMBER");
    if (!vcluster.hostClusterId) throw new AppError("PRECONDITION_FAILED", `${vcluster.name} is not placed on a host yet`);
    if (vcluster.phase === "PENDING" || vcluster.phase === "CREATING") {
      throw new AppError("PRECONDITION_FAILED", `${vcluster.name} is still ${vcluster.phase.toLowerCase()}; its kubeconfig exists once it is RUNNING`);
    }
    const kubeconfig = await (await adapters.forHost(vcluster.hostClusterId)).kubeconfig(targetOf(vcluster));
    result = { ...kubeconfig, vclusterName: vcluster.name, fileName: `${vcluster.name}.kubeconfig.yaml` };
  } catch (error) {
    return audited(db, auditActor, event, () => Promise.reject(error));
  }
  return audited(db, auditActor, event, async (tx) => {
    const v = await tx.vCluster.findUniqueOrThrow({ where: { id }, select: { name: true, projectId: true } });
    return { value: result, audit: { targetName: v.name, projectId: v.projectId, after: { server: result.server, reachable: result.reachable } } };
  });
}
