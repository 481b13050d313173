/**
 * Project roles inside the vcluster. The gateway impersonates each person (user = email, one group per role) and
 * keeps these bindings in the virtual cluster, to the ClusterRoles every kube-apiserver bootstraps
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles): VIEWER → view (reads, no
 * Secrets), MEMBER → edit (plus namespaces, which edit leaves out), OWNER → cluster-admin.
 */
import type { Role } from "@/server/generated/prisma/client";

export const ROLE_GROUPS: Record<Role, string> = {
  VIEWER: "open-vcluster:viewer",
  MEMBER: "open-vcluster:member",
  OWNER: "open-vcluster:owner",
};

const MANAGED = { "app.kubernetes.io/managed-by": "open-vcluster" };

interface RbacObject {
  path: string;
  body: Record<string, unknown>;
}

function binding(name: string, clusterRole: string, group: string): RbacObject {
  return {
    path: `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${encodeURIComponent(name)}`,
    body: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels: MANAGED },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
    },
  };
}

const MEMBER_NAMESPACES = "open-vcluster:member-namespaces";

/** Server-side applied by the gateway (field manager open-vcluster) before it serves a vcluster. */
export const RBAC_OBJECTS: RbacObject[] = [
  binding("open-vcluster:viewer", "view", ROLE_GROUPS.VIEWER),
  binding("open-vcluster:member", "edit", ROLE_GROUPS.MEMBER),
  {
    path: `/apis/rbac.authorization.k8s.io/v1/clusterroles/${encodeURIComponent(MEMBER_NAMESPACES)}`,
    body: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: MEMBER_NAMESPACES, labels: MANAGED },
      rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["create", "update", "patch", "delete"] }],
    },
  },
  binding(MEMBER_NAMESPACES, MEMBER_NAMESPACES, ROLE_GROUPS.MEMBER),
  binding("open-vcluster:owner", "cluster-admin", ROLE_GROUPS.OWNER),
];
