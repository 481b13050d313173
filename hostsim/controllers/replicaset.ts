import { randomSuffix } from "../cluster";
import { fromLabelSelector, matchesLabels } from "../selectors";
import { clone, getPath, isObj, num, type KObject } from "../types";
import {
  controllerOf,
  createPodOrReport,
  isPodReady,
  ownerRef,
  specOf,
  statusOf,
  writeStatus,
  type ControllerContext,
} from "./context";
import { nsKey, splitKey, WorkQueue } from "./queue";

/** Pods a ReplicaSet-like owner controls, found by its UID in their controller reference. */
export function ownedPods(ctx: ControllerContext, owner: KObject): KObject[] {
  return ctx.cluster
    .list(ctx.cluster.rt("", "pods"), owner.metadata.namespace)
    .filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
}

export function podFromTemplate(owner: KObject, name: string, extraLabels: Record<string, string>): KObject {
  const tpl = clone(specOf(owner).template);
  const meta = isObj(tpl) && isObj(tpl.metadata) ? tpl.metadata : {};
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...meta,
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(isObj(meta.labels) ? (meta.labels as Record<string, string>) : {}), ...extraLabels },
      ownerReferences: [ownerRef(owner)],
    },
    spec: isObj(tpl) && isObj(tpl.spec) ? tpl.spec : {},
  };
}

/** The ReplicaSet controller: keeps spec.replicas pods, newest and least ready ones going first. */
export function startReplicaSets(ctx: ControllerContext): () => void {
  const { cluster } = ctx;
  const rsType = cluster.rt("apps", "replicasets");
  const pods = cluster.rt("", "pods");
  const refused = new Map<string, string>();

  const reconcile = (key: string) => {
    const [ns, name] = splitKey(key);
    const rs = cluster.find(rsType, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const selector = fromLabelSelector(specOf(rs).selector);
    let mine = ownedPods(ctx, rs).filter(
      (p) => !p.metadata.deletionTimestamp && matchesLabels(selector, p.metadata.labels),
    );
    const desired = num(specOf(rs).replicas, 1);
    if (mine.length < desired) {
      for (let i = mine.length; i < desired; i++) {
        const pod = createPodOrReport(
          ctx,
          rs,
          podFromTemplate(rs, `${name}-${randomSuffix()}`, {}),
          "replicaset-controller",
          refused,
        );
        if (!pod) {
          queue.addAfter(key, 1000);
          break;
        }
        cluster.recordEvent(
          rs,
          "Normal",
          "SuccessfulCreate",
          `Created pod: ${pod.metadata.name}`,
          "replicaset-controller",
        );
        mine.push(pod);
      }
    } else if (mine.length > desired) {
      const rank = (p: KObject) =>
        !p.spec || !getPath(p, ["spec", "nodeName"]) ? 0 : statusOf(p).phase === "Pending" ? 1 : isPodReady(p) ? 3 : 2;
      const victims = [...mine]
        .sort(
          (a, b) =>
            rank(a) - rank(b) ||
            String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
        )
        .slice(0, mine.length - desired);
      for (const v of victims) {
        cluster.delete(pods, ns, v.metadata.name ?? "");
        cluster.recordEvent(
          rs,
          "Normal",
          "SuccessfulDelete",
          `Deleted pod: ${v.metadata.name}`,
          "replicaset-controller",
        );
      }
      mine = mine.filter((p) => !victims.includes(p));
    }
    const ready = mine.filter(isPodReady).length;
    const status = {
      replicas: mine.length,
      fullyLabeledReplicas: mine.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation,
    };
    writeStatus(cluster, rsType, rs, status);
  };

  const queue = new WorkQueue("replicaset", reconcile);
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res === "replicasets.apps") queue.add(nsKey(e.obj.metadata.namespace, e.obj.metadata.name));
    if (e.res === "pods") {
      const owner = controllerOf(e.obj);
      if (owner?.kind === "ReplicaSet") queue.add(nsKey(e.obj.metadata.namespace, owner.name));
    }
  });
  for (const rs of cluster.list(rsType)) queue.add(nsKey(rs.metadata.namespace, rs.metadata.name));
  return () => {
    unsubscribe();
    queue.stop();
  };
}
