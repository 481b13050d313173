import type { Cluster } from "../cluster";
import type { StoreEvent } from "../store";
import type { KObject } from "../types";
import { WorkQueue } from "./queue";

interface Ref {
  res: string;
  ns?: string;
  name: string;
}

/**
 * The garbage collector: when an owner goes, dependents whose owners are all gone are deleted (background);
 * an owner deleted in the foreground waits for its dependents, and an orphaning one releases them.
 */
export function startGarbageCollector(cluster: Cluster): () => void {
  const byUid = new Map<string, Ref>();
  const dependents = new Map<string, Map<string, Ref>>();
  const refKey = (r: Ref) => `${r.res}|${r.ns ?? ""}|${r.name}`;

  const index = (res: string, o: KObject, add: boolean) => {
    const ref: Ref = { res, ns: o.metadata.namespace, name: o.metadata.name ?? "" };
    if (o.metadata.uid) {
      if (add) byUid.set(o.metadata.uid, ref);
      else byUid.delete(o.metadata.uid);
    }
    for (const owner of o.metadata.ownerReferences ?? []) {
      let m = dependents.get(owner.uid);
      if (!m) dependents.set(owner.uid, (m = new Map()));
      if (add) m.set(refKey(ref), ref);
      else m.delete(refKey(ref));
    }
  };

  const rtOf = (res: string) => {
    const [plural, ...group] = res.split(".");
    return cluster.registry.byGroupResource(group.join("."), plural);
  };
  const find = (r: Ref) => {
    const rt = rtOf(r.res);
    return rt ? { rt, obj: cluster.find(rt, r.ns, r.name) } : undefined;
  };

  const reconcile = (uid: string) => {
    const deps = [...(dependents.get(uid)?.values() ?? [])];
    const ownerRef = byUid.get(uid);
    const owner = ownerRef ? find(ownerRef)?.obj : undefined;
    const live = deps.map(find).filter((d) => d?.obj?.metadata.ownerReferences?.some((r) => r.uid === uid));
    if (!owner) {
      if (live.length === 0) dependents.delete(uid);
      for (const d of live) {
        if (!d?.obj) continue;
        const others = (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid && byUid.has(r.uid));
        if (others.length === 0) {
          if (!d.obj.metadata.deletionTimestamp)
            cluster.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? "", {
              propagationPolicy: "Background",
            });
        } else
          cluster.update(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? "", {
            ...d.obj,
            metadata: {
              ...d.obj.metadata,
              ownerReferences: d.obj.metadata.ownerReferences?.filter((r) => r.uid !== uid),
            },
          });
      }
      return;
    }
    if (!owner.metadata.deletionTimestamp || !ownerRef) return;
    const finalizers = owner.metadata.finalizers ?? [];
    const ort = rtOf(ownerRef.res);
    if (!ort) return;
    const release = (f: string) => {
      const current = cluster.find(ort, owner.metadata.namespace, owner.metadata.name ?? "");
      if (!current) return;
      const rest = (current.metadata.finalizers ?? []).filter((x) => x !== f);
      cluster.update(ort, current.metadata.namespace, current.metadata.name ?? "", {
        ...current,
        metadata: { ...current.metadata, finalizers: rest.length ? rest : undefined },
      });
    };
    if (finalizers.includes("orphan")) {
      for (const d of live) {
        if (!d?.obj) continue;
        cluster.update(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? "", {
          ...d.obj,
          metadata: {
            ...d.obj.metadata,
            ownerReferences: d.obj.metadata.ownerReferences?.filter((r) => r.uid !== uid),
          },
        });
      }
      release("orphan");
    } else if (finalizers.includes("foregroundDeletion")) {
      const blocking = live.filter((d) => d?.obj);
      for (const d of blocking)
        if (d?.obj && !d.obj.metadata.deletionTimestamp)
          cluster.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? "", {
            propagationPolicy: "Foreground",
          });
      if (blocking.length === 0) release("foregroundDeletion");
    }
  };

  const queue = new WorkQueue("garbage-collector", reconcile);
  const onEvent = (e: StoreEvent) => {
    if (e.old) index(e.res, e.old, false);
    if (e.type !== "DELETED") index(e.res, e.obj, true);
    const uid = e.obj.metadata.uid;
    if (uid && (e.type === "DELETED" || e.obj.metadata.deletionTimestamp)) queue.add(uid);
    for (const owner of (e.type === "DELETED" ? e.old : e.obj)?.metadata.ownerReferences ?? []) {
      const o = byUid.get(owner.uid);
      if (!o || e.type === "DELETED") queue.add(owner.uid);
    }
  };
  for (const [res, o] of cluster.store.all()) index(res, o, true);
  const unsubscribe = cluster.store.subscribe(onEvent);
  for (const [, o] of cluster.store.all()) {
    for (const owner of o.metadata.ownerReferences ?? []) if (!byUid.has(owner.uid)) queue.add(owner.uid);
    if (o.metadata.deletionTimestamp && o.metadata.uid) queue.add(o.metadata.uid);
  }
  return () => {
    unsubscribe();
    queue.stop();
  };
}
