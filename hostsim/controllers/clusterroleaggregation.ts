import type { Cluster } from "../cluster";
import { fromLabelSelector, matchesLabels } from "../selectors";
import { deepEqual, isObj, objs, type Obj } from "../types";
import { WorkQueue } from "./queue";

/**
 * The controller-manager's ClusterRole aggregation controller (pkg/controller/clusterroleaggregation/
 * clusterroleaggregation_controller.go): a ClusterRole with an aggregationRule gets the union of the rules of
 * every other ClusterRole its selectors match, selected roles in name order and each rule once, applied by the
 * field manager "clusterrole-aggregation-controller". Any change to any ClusterRole requeues all aggregated ones,
 * so chains (view into edit into admin) settle.
 */
export function startClusterRoleAggregation(cluster: Cluster): () => void {
  const roles = cluster.rt("rbac.authorization.k8s.io", "clusterroles");

  const reconcile = (name: string) => {
    const role = cluster.find(roles, undefined, name);
    if (!role || !isObj(role.aggregationRule)) return;
    const rules: Obj[] = [];
    for (const selector of objs(role.aggregationRule.clusterRoleSelectors)) {
      const reqs = fromLabelSelector(selector);
      for (const r of cluster.list(roles)) {
        if (r.metadata.name === name || !matchesLabels(reqs, r.metadata.labels)) continue;
        for (const rule of objs(r.rules)) if (!rules.some((x) => deepEqual(x, rule))) rules.push(rule);
      }
    }
    if (deepEqual(rules, objs(role.rules))) return;
    cluster.patch(
      roles,
      undefined,
      name,
      "apply",
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules },
      { fieldManager: "clusterrole-aggregation-controller", force: true },
    );
  };

  const queue = new WorkQueue("clusterrole-aggregation", reconcile);
  const enqueueAll = () => {
    for (const r of cluster.list(roles)) if (isObj(r.aggregationRule)) queue.add(r.metadata.name ?? "");
  };
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res === "clusterroles.rbac.authorization.k8s.io") enqueueAll();
  });
  enqueueAll();
  return () => {
    unsubscribe();
    queue.stop();
  };
}
