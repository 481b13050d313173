import { formatQuantity, quotaUsage } from "../quota";
import { isObj, type Obj } from "../types";
import { writeStatus, type ControllerContext } from "./context";
import { WorkQueue } from "./queue";

/** The resource quota controller: keeps status.hard and status.used of every quota in a namespace current. */
export function startQuotas(ctx: ControllerContext): () => void {
  const { cluster } = ctx;
  const quotas = cluster.rt("", "resourcequotas");
  const reconcile = (ns: string) => {
    for (const q of cluster.list(quotas, ns)) {
      const hard = (isObj(q.spec) && isObj(q.spec.hard) ? q.spec.hard : {}) as Obj;
      const used = quotaUsage(cluster.store, ns, Object.keys(hard));
      writeStatus(cluster, quotas, q, {
        hard,
        used: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, formatQuantity(k, v)])),
      });
    }
  };
  const queue = new WorkQueue("resourcequota", reconcile);
  const unsubscribe = cluster.store.subscribe((e) => {
    const ns = e.obj.metadata.namespace;
    if (ns && e.res !== "events" && cluster.store.list("resourcequotas", ns).length > 0) queue.add(ns);
  });
  for (const q of cluster.list(quotas)) queue.add(q.metadata.namespace ?? "");
  return () => {
    unsubscribe();
    queue.stop();
  };
}
