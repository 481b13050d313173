import type { Cluster } from "../cluster";
import { ApiError } from "../errors";
import { clone, isObj, str, type KObject, type Obj } from "../types";
import { specOf, statusOf, writeStatus, type ControllerContext } from "./context";
import { nsKey, splitKey, WorkQueue } from "./queue";

/** Where a virtual cluster's pods really run: its host namespace, as vcluster's syncer places them. */
export interface SyncTarget {
  host: Cluster;
  namespace: string;
  release: string;
  /** The control plane (Deployment or StatefulSet): synced pods are owned by it, so uninstalling leaves no orphans. */
  owner: KObject;
  /** The workload ServiceAccount synced pods run as on the host (controlPlane.advanced.workloadServiceAccount). */
  serviceAccount: string;
}

export const managedBy = "vcluster.loft.sh/managed-by";
/** Marks a virtual pod whose host pod was created and bound: if that host pod goes, so does the virtual one. */
const hostPodKey = "vcluster.loft.sh/host-pod";

export const hostName = (vns: string, name: string, release: string) => `${name}-x-${vns}-x-${release}`.slice(0, 253);

/**
 * vcluster's pod syncer: each virtual pod runs as a host pod in the vcluster's namespace (named
 * NAME-x-NAMESPACE-x-RELEASE, labelled vcluster.loft.sh/managed-by), scheduled by the host against its
 * nodes and quotas; its node, status and events are copied back. A host pod that disappears (e.g. on
 * pause) takes the virtual pod with it, and the virtual controllers recreate it.
 */
export function startPodSync(ctx: ControllerContext, target: SyncTarget): () => void {
  const { cluster: virtual } = ctx;
  const { host, namespace, release } = target;
  const vPods = virtual.rt("", "pods");
  const hPods = host.rt("", "pods");
  const vNodes = virtual.rt("", "nodes");
  const refused = new Map<string, string>();

  const mirrorNode = (name: string) => {
    const hn = host.find(host.rt("", "nodes"), undefined, name);
    if (!hn || virtual.find(vNodes, undefined, name)) return;
    virtual.create(vNodes, undefined, {
      metadata: { name, labels: hn.metadata.labels },
      spec: clone(specOf(hn)),
      status: clone(statusOf(hn)),
    });
  };

  const createHostPod = (vpod: KObject, vns: string, name: string) => {
    const spec = clone(specOf(vpod));
    for (const f of ["serviceAccount", "volumes"]) delete spec[f];
    spec.serviceAccountName = target.serviceAccount;
    // the container sees its virtual name as hostname (pkg/controllers/resources/pods/translate/translator.go)
    if (!spec.hostname) spec.hostname = name.slice(0, 63).replace(/\./g, "-").replace(/-$/, "");
    if (!host.find(host.rt("", "nodes"), undefined, str(spec.nodeName))) delete spec.nodeName;
    try {
      host.create(hPods, namespace, {
        metadata: {
          name: hostName(vns, name, release),
          namespace,
          labels: { [managedBy]: release, "vcluster.loft.sh/namespace": vns },
          annotations: {
            "vcluster.loft.sh/object-name": name,
            "vcluster.loft.sh/object-namespace": vns,
            "vcluster.loft.sh/object-uid": vpod.metadata.uid ?? "",
          },
          ownerReferences: [
            {
              apiVersion: "apps/v1",
              kind: target.owner.kind ?? "StatefulSet",
              name: target.owner.metadata.name ?? "",
              uid: target.owner.metadata.uid ?? "",
            },
          ],
        },
        spec,
      });
      refused.delete(vpod.metadata.uid ?? "");
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 403) throw e;
      if (refused.get(vpod.metadata.uid ?? "") !== e.message) {
        refused.set(vpod.metadata.uid ?? "", e.message);
        virtual.recordEvent(
          vpod,
          "Warning",
          "SyncError",
          `Error syncing to physical cluster: ${e.message}`,
          "pod-syncer",
        );
      }
      queue.addAfter(nsKey(vns, name), 1000);
    }
  };

  const reconcile = (key: string) => {
    const [vns, name] = splitKey(key);
    const vpod = virtual.find(vPods, vns, name);
    const hpod = host.find(hPods, namespace, hostName(vns, name, release));
    if (!vpod || vpod.metadata.deletionTimestamp) {
      if (hpod && !hpod.metadata.deletionTimestamp) host.delete(hPods, namespace, hpod.metadata.name ?? "");
      return;
    }
    if (!hpod) {
      if (vpod.metadata.annotations?.[hostPodKey]) virtual.delete(vPods, vns, name);
      else createHostPod(vpod, vns, name);
      return;
    }
    const node = str(specOf(hpod).nodeName);
    let current = vpod;
    if (node && (specOf(vpod).nodeName !== node || !vpod.metadata.annotations?.[hostPodKey])) {
      mirrorNode(node);
      const annotations = { ...vpod.metadata.annotations, [hostPodKey]: hpod.metadata.name ?? "" };
      current = virtual.update(vPods, vns, name, {
        ...vpod,
        metadata: { ...vpod.metadata, annotations },
        spec: { ...specOf(vpod), nodeName: node },
      });
    }
    writeStatus(virtual, vPods, current, clone(statusOf(hpod)));
  };

  const queue = new WorkQueue("pod-syncer", reconcile);
  const stopVirtual = virtual.store.subscribe((e) => {
    if (e.res === "pods") queue.add(nsKey(e.obj.metadata.namespace, e.obj.metadata.name));
  });
  const stopHost = host.store.subscribe((e) => {
    if (e.obj.metadata.namespace !== namespace) return;
    const a = e.obj.metadata.annotations ?? {};
    if (e.res === "pods" && e.obj.metadata.labels?.[managedBy] === release) {
      queue.add(nsKey(a["vcluster.loft.sh/object-namespace"], a["vcluster.loft.sh/object-name"]));
    }
    if (
      e.res === "events" &&
      e.type === "ADDED" &&
      isObj(e.obj.involvedObject) &&
      e.obj.involvedObject.kind === "Pod"
    ) {
      const hp = host.find(hPods, namespace, str(e.obj.involvedObject.name));
      const pa = hp?.metadata.annotations ?? {};
      const vpod =
        hp?.metadata.labels?.[managedBy] === release
          ? virtual.find(vPods, pa["vcluster.loft.sh/object-namespace"], pa["vcluster.loft.sh/object-name"] ?? "")
          : undefined;
      if (vpod)
        virtual.recordEvent(
          vpod,
          str(e.obj.type) === "Warning" ? "Warning" : "Normal",
          str(e.obj.reason),
          str(e.obj.message),
          str((e.obj.source as Obj | undefined)?.component, "kubelet"),
        );
    }
  });
  for (const n of host.list(host.rt("", "nodes"))) mirrorNode(n.metadata.name ?? "");
  for (const p of virtual.list(vPods)) queue.add(nsKey(p.metadata.namespace, p.metadata.name));
  return () => {
    stopVirtual();
    stopHost();
    queue.stop();
  };
}
