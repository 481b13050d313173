import { clone, isObj, num, objs, str, type KObject, type Obj } from "../types";
import {
  controllerOf,
  createPodOrReport,
  isPodReady,
  specOf,
  statusOf,
  templateHash,
  writeStatus,
  type ControllerContext,
} from "./context";
import { nsKey, splitKey, WorkQueue } from "./queue";
import { ownedPods, podFromTemplate } from "./replicaset";

const revisionLabel = "controller-revision-hash";

/**
 * The StatefulSet controller: pods NAME-0..N-1 with stable names and PVCs from volumeClaimTemplates;
 * OrderedReady creates one at a time after its predecessors are Ready and removes from the highest ordinal;
 * a template change rolls pods from the highest ordinal down, one at a time.
 */
export function startStatefulSets(ctx: ControllerContext): () => void {
  const { cluster } = ctx;
  const stsType = cluster.rt("apps", "statefulsets");
  const pods = cluster.rt("", "pods");
  const pvcs = cluster.rt("", "persistentvolumeclaims");
  const refused = new Map<string, string>();

  const ensureClaims = (sts: KObject, ordinal: number) => {
    for (const t of objs(specOf(sts).volumeClaimTemplates)) {
      const claimName = `${str(isObj(t.metadata) ? t.metadata.name : "")}-${sts.metadata.name}-${ordinal}`;
      if (cluster.find(pvcs, sts.metadata.namespace, claimName)) continue;
      const tSpec = isObj(t.spec) ? clone(t.spec) : {};
      const storage =
        isObj(tSpec.resources) && isObj(tSpec.resources.requests) ? tSpec.resources.requests.storage : undefined;
      const pvc = cluster.create(pvcs, sts.metadata.namespace, {
        metadata: {
          name: claimName,
          namespace: sts.metadata.namespace,
          labels: { ...((specOf(sts).selector as Obj | undefined)?.matchLabels as Record<string, string> | undefined) },
        },
        spec: { ...tSpec, volumeName: `pvc-${claimName}`, storageClassName: str(tSpec.storageClassName, "standard") },
      });
      writeStatus(cluster, pvcs, pvc, {
        phase: "Bound",
        accessModes: tSpec.accessModes ?? ["ReadWriteOnce"],
        capacity: { storage: storage ?? "1Gi" },
      });
    }
  };

  const reconcile = (key: string) => {
    const [ns, name] = splitKey(key);
    const sts = cluster.find(stsType, ns, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const spec = specOf(sts);
    const desired = num(spec.replicas, 1);
    const ordered = str(spec.podManagementPolicy, "OrderedReady") === "OrderedReady";
    const updateRevision = `${name}-${templateHash(spec.template)}`;
    const byOrdinal = new Map<number, KObject>();
    for (const p of ownedPods(ctx, sts)) {
      const m = /-(\d+)$/.exec(p.metadata.name ?? "");
      if (m) byOrdinal.set(Number(m[1]), p);
    }
    const live = () => [...byOrdinal.values()].filter((p) => !p.metadata.deletionTimestamp);
    const revision = (p: KObject) => p.metadata.labels?.[revisionLabel];
    let acted = false;
    for (let i = 0; i < desired; i++) {
      const p = byOrdinal.get(i);
      if (!p) {
        ensureClaims(sts, i);
        const podName = `${name}-${i}`;
        const pod = podFromTemplate(sts, podName, {
          [revisionLabel]: updateRevision,
          "statefulset.kubernetes.io/pod-name": podName,
          "apps.kubernetes.io/pod-index": String(i),
        });
        pod.spec = { ...specOf(pod), hostname: podName, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) };
        const created = createPodOrReport(ctx, sts, pod, "statefulset-controller", refused);
        acted = true;
        if (!created) {
          queue.addAfter(key, 1000);
          break;
        }
        byOrdinal.set(i, created);
        cluster.recordEvent(
          sts,
          "Normal",
          "SuccessfulCreate",
          `create Pod ${podName} in StatefulSet ${name} successful`,
          "statefulset-controller",
        );
        if (ordered) break;
      } else if (ordered && !isPodReady(p)) {
        acted = true;
        break;
      }
    }
    const extra = [...byOrdinal.entries()]
      .filter(([i, p]) => i >= desired && !p.metadata.deletionTimestamp)
      .sort((a, b) => b[0] - a[0]);
    if (!acted && extra.length > 0 && (!ordered || live().every(isPodReady))) {
      for (const [, p] of ordered ? extra.slice(0, 1) : extra) {
        cluster.delete(pods, ns, p.metadata.name ?? "");
        cluster.recordEvent(
          sts,
          "Normal",
          "SuccessfulDelete",
          `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`,
          "statefulset-controller",
        );
        byOrdinal.delete(Number(/-(\d+)$/.exec(p.metadata.name ?? "")?.[1]));
      }
      acted = true;
    }
    const strategy = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
    const partition = num(isObj(strategy.rollingUpdate) ? strategy.rollingUpdate.partition : 0);
    if (!acted && str(strategy.type, "RollingUpdate") === "RollingUpdate" && live().every(isPodReady)) {
      const stale = [...byOrdinal.entries()]
        .filter(([i, p]) => i >= partition && i < desired && revision(p) !== updateRevision)
        .sort((a, b) => b[0] - a[0]);
      if (stale.length > 0) {
        const [i, p] = stale[0];
        cluster.delete(pods, ns, p.metadata.name ?? "");
        byOrdinal.delete(i);
      }
    }
    const all = live();
    const previous = statusOf(sts);
    const updated = all.filter((p) => revision(p) === updateRevision).length;
    const done = updated === desired && all.length === desired;
    const currentRevision = done ? updateRevision : str(previous.currentRevision, updateRevision);
    const ready = all.filter(isPodReady).length;
    writeStatus(cluster, stsType, sts, {
      observedGeneration: sts.metadata.generation,
      replicas: all.length,
      readyReplicas: ready,
      currentReplicas: all.filter((p) => revision(p) === currentRevision).length,
      updatedReplicas: updated,
      availableReplicas: ready,
      currentRevision,
      updateRevision,
      collisionCount: 0,
    });
  };

  const queue = new WorkQueue("statefulset", reconcile);
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res === "statefulsets.apps") queue.add(nsKey(e.obj.metadata.namespace, e.obj.metadata.name));
    if (e.res === "pods") {
      const owner = controllerOf(e.obj);
      if (owner?.kind === "StatefulSet") queue.add(nsKey(e.obj.metadata.namespace, owner.name));
    }
  });
  for (const s of cluster.list(stsType)) queue.add(nsKey(s.metadata.namespace, s.metadata.name));
  return () => {
    unsubscribe();
    queue.stop();
  };
}
