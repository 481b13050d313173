import type { Cluster } from "./cluster";
import type { KObject, Obj } from "./types";

const read = ["get", "list", "watch"];
const write = ["create", "delete", "deletecollection", "patch", "update"];
const all = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const rule = (verbs: string[], apiGroups: string[], resources: string[]): Obj => ({ verbs, apiGroups, resources });
const urls = (verbs: string[], nonResourceURLs: string[]): Obj => ({ verbs, nonResourceURLs });

const bootstrapLabel = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const autoupdate = { "rbac.authorization.kubernetes.io/autoupdate": "true" };
const aggregateTo = (role: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true" });

function clusterRole(
  name: string,
  body: { rules?: Obj[]; labels?: Record<string, string>; aggregates?: string },
): KObject {
  return {
    metadata: { name, labels: { ...bootstrapLabel, ...body.labels }, annotations: { ...autoupdate } },
    rules: body.rules ?? null,
    ...(body.aggregates
      ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateTo(body.aggregates) }] } }
      : {}),
  };
}

/**
 * The ClusterRoles every kube-apiserver creates that users are bound to (plugin/pkg/auth/authorizer/rbac/
 * bootstrappolicy/policy.go; objects, verbs and resources as in its testdata/cluster-roles.yaml): cluster-admin,
 * the discovery and self-review roles, and admin, edit and view, which carry only an aggregationRule and get
 * their rules from the system:aggregate-to-* roles (and any labelled ClusterRole) through the aggregation
 * controller. The controller-manager's, scheduler's and nodes' own roles are left out: nobody here acts as them.
 */
const clusterRoles: KObject[] = [
  clusterRole("admin", { aggregates: "admin" }),
  clusterRole("cluster-admin", { rules: [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])] }),
  clusterRole("edit", { aggregates: "edit", labels: aggregateTo("admin") }),
  clusterRole("system:aggregate-to-admin", {
    labels: aggregateTo("admin"),
    rules: [
      rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
      rule(all, ["rbac.authorization.k8s.io"], ["rolebindings", "roles"]),
    ],
  }),
  clusterRole("system:aggregate-to-edit", {
    labels: aggregateTo("edit"),
    rules: [
      rule(read, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
      rule(["impersonate"], [""], ["serviceaccounts"]),
      rule(write, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
      rule(["create"], [""], ["pods/eviction"]),
      rule(
        write,
        [""],
        [
          "configmaps",
          "events",
          "persistentvolumeclaims",
          "replicationcontrollers",
          "replicationcontrollers/scale",
          "secrets",
          "serviceaccounts",
          "services",
          "services/proxy",
        ],
      ),
      rule(["create"], [""], ["serviceaccounts/token"]),
      rule(
        write,
        ["apps"],
        [
          "daemonsets",
          "deployments",
          "deployments/rollback",
          "deployments/scale",
          "replicasets",
          "replicasets/scale",
          "statefulsets",
          "statefulsets/scale",
        ],
      ),
      rule(write, ["autoscaling"], ["horizontalpodautoscalers"]),
      rule(write, ["batch"], ["cronjobs", "jobs"]),
      rule(
        write,
        ["extensions"],
        [
          "daemonsets",
          "deployments",
          "deployments/rollback",
          "deployments/scale",
          "ingresses",
          "networkpolicies",
          "replicasets",
          "replicasets/scale",
          "replicationcontrollers/scale",
        ],
      ),
      rule(write, ["policy"], ["poddisruptionbudgets"]),
      rule(write, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
      rule(all, ["coordination.k8s.io"], ["leases"]),
    ],
  }),
  clusterRole("system:aggregate-to-view", {
    labels: aggregateTo("view"),
    rules: [
      rule(
        read,
        [""],
        [
          "configmaps",
          "endpoints",
          "persistentvolumeclaims",
          "persistentvolumeclaims/status",
          "pods",
          "replicationcontrollers",
          "replicationcontrollers/scale",
          "serviceaccounts",
          "services",
          "services/status",
        ],
      ),
      rule(
        read,
        [""],
        [
          "bindings",
          "events",
          "limitranges",
          "namespaces/status",
          "pods/log",
          "pods/status",
          "replicationcontrollers/status",
          "resourcequotas",
          "resourcequotas/status",
        ],
      ),
      rule(read, [""], ["namespaces"]),
      rule(read, ["discovery.k8s.io"], ["endpointslices"]),
      rule(
        read,
        ["apps"],
        [
          "controllerrevisions",
          "daemonsets",
          "daemonsets/status",
          "deployments",
          "deployments/scale",
          "deployments/status",
          "replicasets",
          "replicasets/scale",
          "replicasets/status",
          "statefulsets",
          "statefulsets/scale",
          "statefulsets/status",
        ],
      ),
      rule(read, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
      rule(read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
      rule(
        read,
        ["extensions"],
        [
          "daemonsets",
          "daemonsets/status",
          "deployments",
          "deployments/scale",
          "deployments/status",
          "ingresses",
          "ingresses/status",
          "networkpolicies",
          "replicasets",
          "replicasets/scale",
          "replicasets/status",
          "replicationcontrollers/scale",
        ],
      ),
      rule(read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
      rule(read, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
    ],
  }),
  clusterRole("system:basic-user", {
    rules: [
      rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
      rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
    ],
  }),
  clusterRole("system:discovery", {
    rules: [
      urls(
        ["get"],
        [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
      ),
    ],
  }),
  clusterRole("system:public-info-viewer", {
    rules: [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])],
  }),
  clusterRole("view", { aggregates: "view", labels: aggregateTo("edit") }),
];

const groups = (...names: string[]) =>
  names.map((name) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name }));

function clusterRoleBinding(name: string, subjects: Obj[]): KObject {
  return {
    metadata: { name, labels: { ...bootstrapLabel }, annotations: { ...autoupdate } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
    subjects,
  };
}

/** policy.go ClusterRoleBindings for the roles above. */
const clusterRoleBindings: KObject[] = [
  clusterRoleBinding("cluster-admin", groups("system:masters")),
  clusterRoleBinding("system:basic-user", groups("system:authenticated")),
  clusterRoleBinding("system:discovery", groups("system:authenticated")),
  clusterRoleBinding("system:public-info-viewer", groups("system:authenticated", "system:unauthenticated")),
];

/**
 * Creates those of the objects the apiserver's rbac/bootstrap-roles post-start hook reconciles
 * (pkg/registry/rbac/rest/storage_rbac.go) that are missing, so a restart neither duplicates nor loses them.
 */
export function ensureBootstrapPolicy(cluster: Cluster): void {
  const roles = cluster.rt("rbac.authorization.k8s.io", "clusterroles");
  const bindings = cluster.rt("rbac.authorization.k8s.io", "clusterrolebindings");
  for (const r of clusterRoles) cluster.ensure(roles, undefined, structuredClone(r));
  for (const b of clusterRoleBindings) cluster.ensure(bindings, undefined, structuredClone(b));
}
