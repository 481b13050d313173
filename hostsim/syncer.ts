import type { Cluster } from "./cluster";
import { controllerOf, isPodReady, specOf } from "./controllers/context";
import { isObj, objs, str, type KObject, type Obj } from "./types";
import { backingStoreType, parseVClusterConfig } from "./vclusterconfig";

/** Where the chart mounts Secret vc-config-NAME and the syncer reads config.yaml (constants.DefaultVClusterConfigLocation). */
const configDir = "/var/lib/vcluster";

/** The vcluster a workload runs, found as `vcluster list` finds control planes (pkg/cli/find/find.go): app=vcluster and a release label. */
export function releaseOf(o: KObject): string | undefined {
  const l = o.metadata.labels ?? {};
  return l.app === "vcluster" && l.release ? l.release : undefined;
}

/** The Deployment or StatefulSet a pod belongs to (through its ReplicaSet), if any. */
export function workloadOf(host: Cluster, pod: KObject): KObject | undefined {
  const owner = controllerOf(pod);
  const ns = pod.metadata.namespace;
  if (owner?.kind === "StatefulSet") return host.find(host.rt("apps", "statefulsets"), ns, owner.name);
  if (owner?.kind !== "ReplicaSet") return undefined;
  const rs = host.find(host.rt("apps", "replicasets"), ns, owner.name);
  const dep = rs && controllerOf(rs);
  return dep?.kind === "Deployment" ? host.find(host.rt("apps", "deployments"), ns, dep.name) : undefined;
}

/** Control-plane workloads (both kinds the chart makes, templates/_persistence.tpl) in a namespace. */
export function controlPlanes(host: Cluster, ns?: string): KObject[] {
  return [...host.list(host.rt("apps", "statefulsets"), ns), ...host.list(host.rt("apps", "deployments"), ns)].filter(
    (w) => releaseOf(w) && !w.metadata.deletionTimestamp,
  );
}

function env(container: Obj, name: string): Obj | undefined {
  return objs(container.env).find((e) => e.name === name);
}

/** config.yaml as the container sees it: the file of the Secret volume mounted at /var/lib/vcluster. */
function readConfigFile(host: Cluster, pod: KObject, container: Obj): string | undefined {
  const mount = objs(container.volumeMounts).find((m) => str(m.mountPath).replace(/\/+$/, "") === configDir);
  const volume = objs(specOf(pod).volumes).find((v) => v.name === mount?.name);
  const secretName = isObj(volume?.secret) ? str(volume.secret.secretName) : "";
  const secret = secretName ? host.find(host.rt("", "secrets"), pod.metadata.namespace, secretName) : undefined;
  const data = isObj(secret?.data) ? secret.data["config.yaml"] : undefined;
  return typeof data === "string" ? Buffer.from(data, "base64").toString("utf8") : undefined;
}

export type SyncerCheck = { fatal: string } | { name: string; config: Obj };

/**
 * What the syncer checks before it serves, in the order of cmd/vcluster/cmd/start.go (v0.36.1): in-cluster mode
 * (POD_NAME or POD_NAMESPACE), VCLUSTER_NAME, config.yaml parsed strictly and validated, the vc-config-NAME Secret
 * (setup/config EnsureBackingStoreChanges) and no other virtual cluster in the namespace. Errors are its own words.
 */
export function checkSyncerStart(host: Cluster, pod: KObject, container: Obj): SyncerCheck {
  if (!env(container, "POD_NAME") && !env(container, "POD_NAMESPACE")) {
    // ExecuteStart runs pro.StartStandalone without them, which cannot install a control plane from inside a pod.
    return {
      fatal:
        "you are trying to use a vCluster pro feature 'standalone' (standalone) that is not available in the open source vcluster or disabled in your license. Please use the vCluster pro image and specify a license that allows using this feature or reach out to support@loft.sh",
    };
  }
  const name = str(env(container, "VCLUSTER_NAME")?.value);
  if (!name) return { fatal: "empty vCluster name" };
  const raw = readConfigFile(host, pod, container);
  if (raw === undefined) return { fatal: `open ${configDir}/config.yaml: no such file or directory` };
  const parsed = parseVClusterConfig(raw, str(container.image));
  if ("error" in parsed) return { fatal: parsed.error };
  const ns = pod.metadata.namespace ?? "";
  if (!host.find(host.rt("", "secrets"), ns, `vc-config-${name}`))
    return { fatal: `using secret annotations: get secret: secrets "vc-config-${name}" not found` };
  if (controlPlanes(host, ns).some((w) => releaseOf(w) !== name)) {
    return {
      fatal: `there is already a virtual cluster in namespace ${ns}; creating multiple virtual clusters inside the same namespace is not supported`,
    };
  }
  return { name, config: parsed.config };
}

/** With controlPlane.backingStore.etcd.deploy the API server waits for the chart's etcd (pkg/etcd/util.go WaitForEtcd). */
export function etcdReachable(host: Cluster, ns: string, name: string, config: Obj): boolean {
  if (backingStoreType(config) !== "deployed-etcd") return true;
  return host
    .list(host.rt("", "pods"), ns)
    .some((p) => p.metadata.labels?.app === "vcluster-etcd" && p.metadata.labels.release === name && isPodReady(p));
}
