import { storeKey } from "../registry";
import { type ControllerContext, specOf } from "./context";
import { WorkQueue } from "./queue";

/**
 * The namespace controller: gives each namespace its default ServiceAccount and kube-root-ca.crt, and
 * empties a terminating namespace (waiting for its objects' finalizers) before releasing it.
 */
export function startNamespaces(ctx: ControllerContext): () => void {
  const { cluster } = ctx;
  const namespaces = cluster.rt("", "namespaces");
  const serviceAccounts = cluster.rt("", "serviceaccounts");
  const configMaps = cluster.rt("", "configmaps");

  const reconcile = (name: string) => {
    const ns = cluster.find(namespaces, undefined, name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      cluster.ensure(serviceAccounts, name, { metadata: { name: "default", namespace: name } });
      cluster.ensure(configMaps, name, {
        metadata: {
          name: "kube-root-ca.crt",
          namespace: name,
          annotations: {
            "kubernetes.io/description":
              "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
          },
        },
        data: { "ca.crt": ctx.caPem },
      });
      return;
    }
    const types = cluster.registry
      .all()
      .filter((rt) => rt.namespaced && cluster.registry.byGroupResource(rt.group, rt.plural) === rt);
    for (const rt of types) {
      for (const o of cluster.store.list(storeKey(rt), name))
        if (!o.metadata.deletionTimestamp) cluster.delete(rt, name, o.metadata.name ?? "");
    }
    if (types.some((rt) => cluster.store.list(storeKey(rt), name).length > 0)) return;
    const spec = specOf(ns);
    cluster.update(namespaces, undefined, name, { ...ns, spec: { ...spec, finalizers: [] } });
  };

  const queue = new WorkQueue("namespace", reconcile);
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res === "namespaces") queue.add(e.obj.metadata.name ?? "");
    else if (e.type === "DELETED" && e.obj.metadata.namespace) {
      const ns = cluster.find(namespaces, undefined, e.obj.metadata.namespace);
      if (ns?.metadata.deletionTimestamp) queue.add(e.obj.metadata.namespace);
    }
  });
  for (const ns of cluster.list(namespaces)) queue.add(ns.metadata.name ?? "");
  return () => {
    unsubscribe();
    queue.stop();
  };
}
