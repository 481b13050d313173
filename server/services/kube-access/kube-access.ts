/**
 * Who holds a live kubeconfig token for a vcluster, and revoking one. Everyone sees and revokes their own; the
 * project's OWNERs (and platform admins) see and revoke everyone's. Revocations are audited, refusals included.
 */
import { AppError } from "@/server/universal/errors";
import { audited, type AuditEvent } from "@/server/services/audit/write-audit";
import { vclusterFor } from "@/server/services/vclusters/access";
import type { ServiceContext } from "@/server/services/service-context";

export interface KubeAccessRow {
  id: string;
  prefix: string;
  userId: string;
  email: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  mine: boolean;
}

export async function listKubeAccess({ db, actor }: ServiceContext, vclusterId: string): Promise<KubeAccessRow[]> {
  const { role } = await vclusterFor(db, actor, vclusterId, "VIEWER");
  const rows = await db.kubeAccessToken.findMany({
    where: { vclusterId, revokedAt: null, ...(role === "OWNER" ? {} : { userId: actor.userId }) },
    select: {
      id: true,
      prefix: true,
      userId: true,
      createdAt: true,
      lastUsedAt: true,
      user: { select: { email: true } },
    },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(({ user, ...row }) => ({ ...row, email: user.email, mine: row.userId === actor.userId }));
}

export async function revokeKubeAccess(
  { db, actor, auditActor }: ServiceContext,
  { id: vclusterId, tokenId }: { id: string; tokenId: string },
  now = new Date(),
): Promise<{ revoked: boolean }> {
  const event: AuditEvent = { action: "vcluster.kube_token_revoke", targetType: "vcluster", targetId: vclusterId };
  return audited(db, auditActor, event, async (tx) => {
    const { vcluster, role } = await vclusterFor(tx, actor, vclusterId, "VIEWER");
    const token = await tx.kubeAccessToken.findFirst({
      where: { id: tokenId, vclusterId },
      select: { userId: true, prefix: true, revokedAt: true, user: { select: { email: true } } },
    });
    if (!token || (token.userId !== actor.userId && role !== "OWNER"))
      throw new AppError("NOT_FOUND", "kubeconfig token not found");
    if (!token.revokedAt) await tx.kubeAccessToken.update({ where: { id: tokenId }, data: { revokedAt: now } });
    return {
      value: { revoked: !token.revokedAt },
      audit: {
        targetName: vcluster.name,
        projectId: vcluster.projectId,
        after: { token: token.prefix, holder: token.user.email },
      },
    };
  });
}
