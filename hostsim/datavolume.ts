import { specOf } from "./controllers/context";
import { objs, str, type KObject, type Obj } from "./types";
import { backingStoreType } from "./vclusterconfig";

/**
 * Where a virtual cluster's state lives, as a name for its store. The embedded stores (SQLite, embedded etcd) write
 * to the `data` volume at /data: a StatefulSet's volume claim `data-<pod>` when persistence is on, otherwise an
 * emptyDir (the chart's templates/statefulset.yaml, `_persistence.tpl`) that dies with its pod, so a new pod
 * (resume, rollout, eviction) starts from nothing, as on a real host. Deployed or external etcd and external
 * databases keep the state outside the pod (config/config.go BackingStoreType).
 */
export function storeKeyOf(workload: KObject, pod: KObject, config: Obj): string {
  const store = backingStoreType(config);
  if (store !== "embedded-database" && store !== "embedded-etcd") return "shared";
  const claims = workload.kind === "StatefulSet" ? objs(specOf(workload).volumeClaimTemplates) : [];
  const persistent = claims.some((c) => str((c.metadata as Obj | undefined)?.name) === "data");
  return persistent ? `data-${pod.metadata.name ?? ""}` : `pod-${pod.metadata.uid ?? ""}`;
}

export const isPodScoped = (storeKey: string): boolean => storeKey.startsWith("pod-");
