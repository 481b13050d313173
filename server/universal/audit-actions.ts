/**
 * Every action an audit row can carry, and every kind of target. One list, so a command's declaration, the rows its
 * service writes and the audit page's filter cannot drift apart: a misspelt action does not compile.
 */
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_out",
  "audit.export",
  "host.register",
  "host.cordon",
  "notification.markRead",
  "notification.markAllRead",
  "project.create",
  "project.member_add",
  "project.member_role",
  "project.member_remove",
  "project.invitation_cancel",
  "project.invitation_accept",
  "project.invitation_decline",
  "quota.set",
  "snapshot.create",
  "snapshot.delete",
  "snapshot.policy_set",
  "token.create",
  "token.revoke",
  "user.sessions_revoke",
  "vcluster.create",
  "vcluster.update",
  "vcluster.scale",
  "vcluster.suspend",
  "vcluster.resume",
  "vcluster.recover",
  "vcluster.upgrade_chart",
  "vcluster.delete",
  "vcluster.force_delete",
  "vcluster.restore",
  "vcluster.clone",
  "vcluster.kubeconfig_download",
  "vcluster.kubeconfig_rotate",
  "vcluster.direct_kubeconfig_download",
  "vcluster.kube_token_revoke",
  "webhook.create",
  "webhook.update",
  "webhook.delete",
  "webhook.test",
] as const;
/** A request through the kube gateway is audited under its Kubernetes verb, an open set (requestinfo.go). */
export type AuditAction = (typeof AUDIT_ACTIONS)[number] | `kube.${string}`;

export const AUDIT_TARGET_TYPES = [
  "apiToken",
  "auditLog",
  "hostCluster",
  "invitation",
  "membership",
  "notification",
  "project",
  "quota",
  "snapshot",
  "user",
  "vcluster",
  "webhook",
] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];
