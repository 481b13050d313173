import { fromLabelSelector, matchesLabels } from "../selectors";
import { deepEqual, isObj, objs, str, type KObject, type Obj } from "../types";
import { isPodReady, specOf, statusOf, type ControllerContext } from "./context";
import { nsKey, splitKey, WorkQueue } from "./queue";

function targetPort(port: Obj, pod: KObject): number {
  const target = port.targetPort ?? port.port;
  if (typeof target === "number") return target;
  for (const c of objs(specOf(pod).containers))
    for (const p of objs(c.ports)) if (p.name === target) return Number(p.containerPort);
  return Number(port.port);
}

/** The endpoints controller: a Service with a selector lists the addresses of its ready (and not ready) pods. */
export function startEndpoints(ctx: ControllerContext): () => void {
  const { cluster } = ctx;
  const services = cluster.rt("", "services");
  const endpoints = cluster.rt("", "endpoints");
  const pods = cluster.rt("", "pods");

  const reconcile = (key: string) => {
    const [ns, name] = splitKey(key);
    const svc = cluster.find(services, ns, name);
    const selector = svc && isObj(specOf(svc).selector) ? (specOf(svc).selector as Record<string, string>) : undefined;
    const existing = cluster.find(endpoints, ns, name);
    if (!svc || !selector) {
      if (existing && !svc) cluster.delete(endpoints, ns, name);
      return;
    }
    const reqs = fromLabelSelector({ matchLabels: selector });
    const members = cluster
      .list(pods, ns)
      .filter((p) => matchesLabels(reqs, p.metadata.labels) && str(statusOf(p).podIP) && !p.metadata.deletionTimestamp);
    const address = (p: KObject) => ({
      ip: statusOf(p).podIP,
      nodeName: specOf(p).nodeName,
      targetRef: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    });
    const ports = objs(specOf(svc).ports);
    const subsets =
      members.length && ports.length
        ? [
            {
              ...(members.some(isPodReady) ? { addresses: members.filter(isPodReady).map(address) } : {}),
              ...(members.some((p) => !isPodReady(p))
                ? { notReadyAddresses: members.filter((p) => !isPodReady(p)).map(address) }
                : {}),
              ports: ports.map((p) => ({
                ...(p.name ? { name: p.name } : {}),
                port: targetPort(p, members[0]),
                protocol: str(p.protocol, "TCP"),
              })),
            },
          ]
        : undefined;
    const body: KObject = {
      metadata: { name, namespace: ns, labels: svc.metadata.labels },
      ...(subsets ? { subsets } : {}),
    };
    if (!existing) cluster.create(endpoints, ns, body);
    else if (!deepEqual(existing.subsets, body.subsets) || !deepEqual(existing.metadata.labels, body.metadata.labels)) {
      cluster.update(endpoints, ns, name, {
        ...existing,
        metadata: { ...existing.metadata, labels: body.metadata.labels },
        subsets: body.subsets,
      });
    }
  };

  const queue = new WorkQueue("endpoints", reconcile);
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res === "services") queue.add(nsKey(e.obj.metadata.namespace, e.obj.metadata.name));
    if (e.res === "pods") {
      for (const svc of cluster.list(services, e.obj.metadata.namespace)) {
        const sel = specOf(svc).selector;
        if (!isObj(sel)) continue;
        const reqs = fromLabelSelector({ matchLabels: sel });
        if (matchesLabels(reqs, e.obj.metadata.labels) || (e.old && matchesLabels(reqs, e.old.metadata.labels)))
          queue.add(nsKey(svc.metadata.namespace, svc.metadata.name));
      }
    }
  });
  for (const s of cluster.list(services)) queue.add(nsKey(s.metadata.namespace, s.metadata.name));
  return () => {
    unsubscribe();
    queue.stop();
  };
}
