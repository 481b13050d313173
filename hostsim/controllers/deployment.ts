import { nowIso, num, objs, str, type KObject, type Obj } from "../types";
import { controllerOf, ownerRef, specOf, statusOf, templateHash, writeStatus, type ControllerContext } from "./context";
import { nsKey, splitKey, WorkQueue } from "./queue";

const revisionKey = "deployment.kubernetes.io/revision";

function condition(type: string, ok: boolean, reason: string, message: string, previous: Obj[]): Obj {
  const prev = previous.find((c) => c.type === type);
  const status = ok ? "True" : "False";
  if (prev && prev.status === status && prev.reason === reason && prev.message === message) return prev;
  const now = nowIso();
  return {
    type,
    status,
    lastUpdateTime: now,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
    reason,
    message,
  };
}

/**
 * The Deployment controller: one ReplicaSet per pod template (named by its hash), the new one scaled to the
 * desired replicas and the old ones scaled down as new pods become available (Recreate: old ones first).
 */
export function startDeployments(ctx: ControllerContext): () => void {
  const { cluster } = ctx;
  const deployments = cluster.rt("apps", "deployments");
  const rsType = cluster.rt("apps", "replicasets");

  const scale = (rs: KObject, replicas: number, dep: KObject) => {
    if (num(specOf(rs).replicas) === replicas) return;
    cluster.update(rsType, rs.metadata.namespace, rs.metadata.name ?? "", { ...rs, spec: { ...specOf(rs), replicas } });
    cluster.recordEvent(
      dep,
      "Normal",
      "ScalingReplicaSet",
      `Scaled ${num(specOf(rs).replicas) < replicas ? "up" : "down"} replica set ${rs.metadata.name} from ${num(specOf(rs).replicas)} to ${replicas}`,
      "deployment-controller",
    );
  };

  const reconcile = (key: string) => {
    const [ns, name] = splitKey(key);
    const dep = cluster.find(deployments, ns, name);
    if (!dep || dep.metadata.deletionTimestamp) return;
    const spec = specOf(dep);
    const desired = num(spec.replicas, 1);
    const hash = templateHash(spec.template);
    const owned = cluster.list(rsType, ns).filter((rs) => controllerOf(rs)?.uid === dep.metadata.uid);
    let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    const old = owned.filter((rs) => rs !== current);
    const maxRevision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[revisionKey] ?? 0)));
    if (!current) {
      const tpl = (spec.template ?? {}) as Obj;
      const tplMeta = (tpl.metadata ?? {}) as Obj;
      const labels = { ...((tplMeta.labels ?? {}) as Record<string, string>), "pod-template-hash": hash };
      const selector = (spec.selector ?? {}) as Obj;
      current = cluster.create(rsType, ns, {
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels,
          annotations: {
            [revisionKey]: String(maxRevision + 1),
            "deployment.kubernetes.io/desired-replicas": String(desired),
          },
          ownerReferences: [ownerRef(dep)],
        },
        spec: {
          replicas: 0,
          selector: {
            ...selector,
            matchLabels: { ...((selector.matchLabels ?? {}) as Record<string, string>), "pod-template-hash": hash },
          },
          template: { ...tpl, metadata: { ...tplMeta, labels } },
        },
      });
    }
    const revision = current.metadata.annotations?.[revisionKey] ?? "1";
    if (dep.metadata.annotations?.[revisionKey] !== revision) {
      cluster.update(deployments, ns, name, {
        ...dep,
        metadata: { ...dep.metadata, annotations: { ...dep.metadata.annotations, [revisionKey]: revision } },
      });
      return;
    }
    if (!spec.paused) {
      const recreate = str((spec.strategy as Obj | undefined)?.type) === "Recreate";
      const oldPods = old.reduce((n, rs) => n + num(statusOf(rs).replicas), 0);
      if (recreate) {
        for (const rs of old) scale(rs, 0, dep);
        scale(current, oldPods === 0 ? desired : 0, dep);
      } else {
        scale(current, desired, dep);
        let budget = Math.max(0, desired - num(statusOf(current).availableReplicas));
        for (const rs of [...old].sort((a, b) =>
          String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
        )) {
          const keep = Math.min(budget, num(specOf(rs).replicas));
          budget -= keep;
          scale(rs, keep, dep);
        }
      }
      const limit = num(spec.revisionHistoryLimit, 10);
      const idle = old.filter((rs) => num(specOf(rs).replicas) === 0 && num(statusOf(rs).replicas) === 0);
      for (const rs of idle.slice(0, Math.max(0, idle.length - limit)))
        cluster.delete(rsType, ns, rs.metadata.name ?? "");
    }
    const all = [current, ...old];
    const sum = (f: string) => all.reduce((n, rs) => n + num(statusOf(rs)[f]), 0);
    const available = sum("availableReplicas");
    const updated = num(statusOf(current).replicas);
    const complete = updated === desired && sum("replicas") === desired && available === desired;
    const prev = objs(statusOf(dep).conditions);
    writeStatus(cluster, deployments, dep, {
      observedGeneration: dep.metadata.generation,
      replicas: sum("replicas"),
      updatedReplicas: updated,
      readyReplicas: sum("readyReplicas"),
      availableReplicas: available,
      ...(desired - available > 0 ? { unavailableReplicas: desired - available } : {}),
      conditions: [
        condition(
          "Available",
          available >= desired,
          available >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
          available >= desired
            ? "Deployment has minimum availability."
            : "Deployment does not have minimum availability.",
          prev,
        ),
        condition(
          "Progressing",
          true,
          complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
          complete
            ? `ReplicaSet "${current.metadata.name}" has successfully progressed.`
            : `ReplicaSet "${current.metadata.name}" is progressing.`,
          prev,
        ),
      ],
    });
  };

  const queue = new WorkQueue("deployment", reconcile);
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res === "deployments.apps") queue.add(nsKey(e.obj.metadata.namespace, e.obj.metadata.name));
    if (e.res === "replicasets.apps") {
      const owner = controllerOf(e.obj);
      if (owner?.kind === "Deployment") queue.add(nsKey(e.obj.metadata.namespace, owner.name));
    }
  });
  for (const d of cluster.list(deployments)) queue.add(nsKey(d.metadata.namespace, d.metadata.name));
  return () => {
    unsubscribe();
    queue.stop();
  };
}
