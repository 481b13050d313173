import { parseQuantity } from "../quantity";
import { isObj, nowIso, objs, str, type KObject, type Obj } from "../types";
import { specOf, statusOf, writeStatus, type ControllerContext } from "./context";
import { Kubelet } from "./kubelet";
import { nsKey, splitKey, WorkQueue } from "./queue";

const terminal = (p: KObject) => ["Succeeded", "Failed"].includes(str(statusOf(p).phase));

function requests(p: KObject): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of objs(specOf(p).containers)) {
    const r =
      isObj(c.resources) && isObj(c.resources.requests)
        ? c.resources.requests
        : isObj(c.resources) && isObj(c.resources.limits)
          ? c.resources.limits
          : {};
    if (r.cpu !== undefined) cpu += parseQuantity(String(r.cpu));
    if (r.memory !== undefined) memory += parseQuantity(String(r.memory));
  }
  return { cpu, memory };
}

function nodeReady(n: KObject): boolean {
  return (
    !specOf(n).unschedulable && objs(statusOf(n).conditions).some((c) => c.type === "Ready" && c.status === "True")
  );
}

function condition(type: string, status: string, reason?: string, message?: string): Obj {
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: nowIso(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** Creates the simulated nodes a cluster schedules onto. */
export function ensureNodes(ctx: ControllerContext, count: number, cpu: string, memory: string, prefix = "node"): void {
  const rt = ctx.cluster.rt("", "nodes");
  for (let i = 1; i <= count; i++) {
    const name = `${prefix}-${i}`;
    if (ctx.cluster.find(rt, undefined, name)) continue;
    const resources = { cpu, memory, pods: "110", "ephemeral-storage": "100Gi" };
    const now = nowIso();
    ctx.cluster.create(rt, undefined, {
      metadata: {
        name,
        labels: {
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "node.kubernetes.io/instance-type": "hostsim",
        },
      },
      spec: { podCIDR: `10.244.${i}.0/24` },
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [
          {
            type: "MemoryPressure",
            status: "False",
            reason: "KubeletHasSufficientMemory",
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
          {
            type: "DiskPressure",
            status: "False",
            reason: "KubeletHasNoDiskPressure",
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
          {
            type: "PIDPressure",
            status: "False",
            reason: "KubeletHasSufficientPID",
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            message: "kubelet is posting ready status",
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
        addresses: [
          { type: "InternalIP", address: `172.18.0.${i + 1}` },
          { type: "Hostname", address: name },
        ],
        nodeInfo: {
          kubeletVersion: ctx.gitVersion,
          kubeProxyVersion: ctx.gitVersion,
          containerRuntimeVersion: "containerd://1.7.22",
          operatingSystem: "linux",
          architecture: "amd64",
          osImage: "hostsim",
          kernelVersion: "6.1.0",
          machineID: name,
          systemUUID: name,
          bootID: name,
        },
      },
    });
  }
}

/**
 * The scheduler and the kubelets: binds pending pods to a node whose allocatable CPU and memory still fit
 * their requests (or leaves them Pending with a FailedScheduling event), then after the configured delay
 * hands them to the node's kubelet, which mounts their volumes and starts their containers.
 */
export function startPods(ctx: ControllerContext): () => void {
  const { cluster } = ctx;
  const pods = cluster.rt("", "pods");
  const nodes = cluster.rt("", "nodes");
  const starting = new Map<string, NodeJS.Timeout>();
  const kubelet = new Kubelet(ctx);

  const schedule = (p: KObject) => {
    const need = requests(p);
    const used = new Map<string, { cpu: number; memory: number; pods: number }>();
    for (const other of cluster.list(pods)) {
      const node = str(specOf(other).nodeName);
      if (!node || terminal(other)) continue;
      const u = used.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
      const r = requests(other);
      used.set(node, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
    }
    const all = cluster.list(nodes);
    const reasons = new Map<string, number>();
    let best: { name: string; free: number } | undefined;
    for (const n of all) {
      const alloc = isObj(statusOf(n).allocatable) ? (statusOf(n).allocatable as Obj) : {};
      const u = used.get(n.metadata.name ?? "") ?? { cpu: 0, memory: 0, pods: 0 };
      const cpuFree = parseQuantity(String(alloc.cpu ?? "0")) - u.cpu;
      const memFree = parseQuantity(String(alloc.memory ?? "0")) - u.memory;
      const why = !nodeReady(n)
        ? "node(s) were unschedulable"
        : need.cpu > cpuFree
          ? "Insufficient cpu"
          : need.memory > memFree
            ? "Insufficient memory"
            : u.pods >= parseQuantity(String(alloc.pods ?? "110"))
              ? "Too many pods"
              : undefined;
      if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
      else if (!best || cpuFree > best.free) best = { name: n.metadata.name ?? "", free: cpuFree };
    }
    if (!best) {
      const message = `0/${all.length} nodes are available: ${[...reasons].map(([r, c]) => `${c} ${r}`).join(", ") || "no nodes available to schedule pods"}. preemption: 0/${all.length} nodes are available: ${all.length} No preemption victims found for incoming pod.`;
      const current = objs(statusOf(p).conditions).find((c) => c.type === "PodScheduled");
      if (current?.message === message) return;
      writeStatus(cluster, pods, p, {
        ...statusOf(p),
        phase: "Pending",
        conditions: [condition("PodScheduled", "False", "Unschedulable", message)],
      });
      cluster.recordEvent(p, "Warning", "FailedScheduling", message, "default-scheduler");
      return;
    }
    const bound = cluster.update(pods, p.metadata.namespace, p.metadata.name ?? "", {
      ...p,
      spec: { ...specOf(p), nodeName: best.name },
    });
    writeStatus(cluster, pods, bound, {
      ...statusOf(bound),
      phase: "Pending",
      conditions: [condition("PodScheduled", "True")],
    });
    cluster.recordEvent(
      p,
      "Normal",
      "Scheduled",
      `Successfully assigned ${p.metadata.namespace}/${p.metadata.name} to ${best.name}`,
      "default-scheduler",
    );
  };

  const run = (key: string) => {
    starting.delete(key);
    const [ns, name] = splitKey(key);
    const p = cluster.find(pods, ns, name);
    if (!p || p.metadata.deletionTimestamp || statusOf(p).phase !== "Pending" || !specOf(p).nodeName) return;
    const node = cluster.find(nodes, undefined, str(specOf(p).nodeName));
    const hostIP = str(
      objs(node ? statusOf(node).addresses : []).find((a) => a.type === "InternalIP")?.address,
      "172.18.0.2",
    );
    kubelet.run(p, hostIP);
  };

  const reconcile = (key: string) => {
    const [ns, name] = splitKey(key);
    const p = cluster.find(pods, ns, name);
    if (!p || p.metadata.deletionTimestamp || terminal(p)) return;
    if (!specOf(p).nodeName) return schedule(p);
    if (statusOf(p).phase === "Pending" && !starting.has(key)) {
      starting.set(
        key,
        setTimeout(() => queue.add(`run:${key}`), ctx.podReadyDelayMs),
      );
    }
  };

  const queue = new WorkQueue("kubelet", (key) => (key.startsWith("run:") ? run(key.slice(4)) : reconcile(key)));
  const pendingAll = () => {
    for (const p of cluster.list(pods))
      if (!specOf(p).nodeName && !p.metadata.deletionTimestamp) queue.add(nsKey(p.metadata.namespace, p.metadata.name));
  };
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res === "pods") {
      if (e.type === "DELETED") {
        kubelet.forget(e.obj);
        pendingAll();
      } else queue.add(nsKey(e.obj.metadata.namespace, e.obj.metadata.name));
    } else if (e.res === "nodes") pendingAll();
    else if (e.type === "ADDED" && ["secrets", "configmaps", "persistentvolumeclaims"].includes(e.res)) {
      for (const p of kubelet.waitingOn(e.obj.metadata.namespace))
        queue.add(`run:${nsKey(p.metadata.namespace, p.metadata.name)}`);
    }
  });
  for (const p of cluster.list(pods)) queue.add(nsKey(p.metadata.namespace, p.metadata.name));
  return () => {
    unsubscribe();
    queue.stop();
    kubelet.stop();
    for (const t of starting.values()) clearTimeout(t);
  };
}
