import { isObj, microNow, nowIso, objs, str, type KObject, type Obj } from "../types";
import { statusOf, writeStatus, type ControllerContext } from "./context";
import type { ContainerStart } from "./runtime";

function condition(type: string, ok: boolean, reason?: string, message?: string): Obj {
  return {
    type,
    status: ok ? "True" : "False",
    lastProbeTime: null,
    lastTransitionTime: nowIso(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

const podRef = (p: KObject) => `${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`;
const containerId = () => `containerd://${microNow().replace(/\D/g, "")}`;

/** The volume a pod cannot mount yet, with the kubelet's FailedMount message, or undefined when all are there. */
function missingVolume(ctx: ControllerContext, p: KObject): string | undefined {
  const ns = p.metadata.namespace;
  for (const v of objs(isObj(p.spec) ? p.spec.volumes : [])) {
    const secret = isObj(v.secret) ? v.secret : undefined;
    const configMap = isObj(v.configMap) ? v.configMap : undefined;
    const claim = isObj(v.persistentVolumeClaim) ? v.persistentVolumeClaim : undefined;
    if (
      secret &&
      secret.optional !== true &&
      !ctx.cluster.find(ctx.cluster.rt("", "secrets"), ns, str(secret.secretName))
    ) {
      return `MountVolume.SetUp failed for volume "${str(v.name)}" : secret "${str(secret.secretName)}" not found`;
    }
    if (
      configMap &&
      configMap.optional !== true &&
      !ctx.cluster.find(ctx.cluster.rt("", "configmaps"), ns, str(configMap.name))
    ) {
      return `MountVolume.SetUp failed for volume "${str(v.name)}" : configmap "${str(configMap.name)}" not found`;
    }
    if (claim && !ctx.cluster.find(ctx.cluster.rt("", "persistentvolumeclaims"), ns, str(claim.claimName))) {
      return `Unable to attach or mount volumes: unmounted volumes=[${str(v.name)}]: persistentvolumeclaim "${str(claim.claimName)}" not found`;
    }
  }
  return undefined;
}

/** CrashLoopBackOff delay after n failures: 10 s doubling up to 5 min, as the kubelet's, scaled like the start delay. */
const backoffSeconds = (failures: number) => Math.min(300, 10 * 2 ** Math.max(0, failures - 1));

/**
 * The kubelet's part after scheduling: mounts the pod's volumes (a missing Secret, ConfigMap or claim keeps it
 * ContainerCreating with FailedMount), runs init containers to completion, starts the containers through the
 * container runtime, restarts failed ones with CrashLoopBackOff, and probes running ones that are not ready.
 */
export class Kubelet {
  private timers = new Map<string, NodeJS.Timeout>();
  private mountFailures = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {}

  private get pods() {
    return this.ctx.cluster.rt("", "pods");
  }

  private later(key: string, ms: number, fn: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, ms),
    );
  }

  private current(p: KObject): KObject | undefined {
    const now = this.ctx.cluster.find(this.pods, p.metadata.namespace, p.metadata.name ?? "");
    return now && now.metadata.uid === p.metadata.uid && !now.metadata.deletionTimestamp ? now : undefined;
  }

  /** Starts a scheduled Pending pod, or reports the volume that keeps it from starting. */
  run(p: KObject, hostIP: string): void {
    const missing = missingVolume(this.ctx, p);
    const uid = p.metadata.uid ?? "";
    if (missing) {
      if (this.mountFailures.get(uid) === missing) return;
      this.mountFailures.set(uid, missing);
      writeStatus(this.ctx.cluster, this.pods, p, {
        ...statusOf(p),
        phase: "Pending",
        hostIP,
        hostIPs: [{ ip: hostIP }],
        startTime: str(statusOf(p).startTime, nowIso()),
        conditions: [
          condition("PodReadyToStartContainers", false),
          condition("Initialized", false, "ContainersNotInitialized"),
          condition("Ready", false, "ContainersNotReady"),
          condition("ContainersReady", false, "ContainersNotReady"),
          condition("PodScheduled", true),
        ],
        containerStatuses: objs(isObj(p.spec) ? p.spec.containers : []).map((c) => ({
          name: c.name,
          image: c.image,
          imageID: "",
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason: "ContainerCreating" } },
        })),
      });
      this.ctx.cluster.recordEvent(p, "Warning", "FailedMount", missing, "kubelet");
      return;
    }
    this.mountFailures.delete(uid);
    const started = nowIso();
    const spec = isObj(p.spec) ? p.spec : {};
    const n = Math.floor(Math.random() * 250) + 2;
    const podIP = `10.244.${hostIP.split(".")[3]}.${n}`;
    const initContainerStatuses = objs(spec.initContainers).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${str(c.image)}@sha256:${"0".repeat(64)}`,
      containerID: containerId(),
      ready: true,
      restartCount: 0,
      state: {
        terminated: {
          exitCode: 0,
          reason: "Completed",
          startedAt: started,
          finishedAt: started,
          containerID: containerId(),
        },
      },
    }));
    const running = {
      ...p,
      status: {
        ...statusOf(p),
        phase: "Running",
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: started,
      },
    };
    const containerStatuses = objs(spec.containers).map((c) => this.start(running, c, 0));
    writeStatus(
      this.ctx.cluster,
      this.pods,
      p,
      this.withConditions({
        ...running.status,
        ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
        containerStatuses,
      }),
    );
    for (const c of objs(spec.containers).slice(0, 1)) {
      this.ctx.cluster.recordEvent(
        p,
        "Normal",
        "Pulled",
        `Container image "${str(c.image)}" already present on machine`,
        "kubelet",
      );
      this.ctx.cluster.recordEvent(p, "Normal", "Started", `Started container ${str(c.name)}`, "kubelet");
    }
  }

  private withConditions(status: Obj): Obj {
    const unready = objs(status.containerStatuses)
      .filter((s) => s.ready !== true)
      .map((s) => str(s.name));
    const ready = unready.length === 0;
    const why = ready ? undefined : `containers with unready status: [${unready.join(" ")}]`;
    const prev = objs(status.conditions);
    const keep = (c: Obj) => {
      const old = prev.find((x) => x.type === c.type);
      return old && old.status === c.status && old.reason === c.reason ? old : c;
    };
    return {
      ...status,
      conditions: [
        condition("PodReadyToStartContainers", true),
        condition("Initialized", true),
        condition("Ready", ready, ready ? undefined : "ContainersNotReady", why),
        condition("ContainersReady", ready, ready ? undefined : "ContainersNotReady", why),
        condition("PodScheduled", true),
      ].map(keep),
    };
  }

  /** Runs one container and returns its status; failures schedule the restart, not-ready ones a probe. */
  private start(p: KObject, c: Obj, restartCount: number): Obj {
    const name = str(c.name);
    const startedAt = nowIso();
    const outcome: ContainerStart = this.ctx.runtime?.start(p, c) ?? {
      state: "running",
      ready: true,
      log: [
        `started container ${name} from image ${str(c.image)} on node ${str(isObj(p.spec) ? p.spec.nodeName : "")}`,
      ],
    };
    this.ctx.cluster.logs.begin(p, name, outcome.log);
    const base = {
      name,
      image: c.image,
      imageID: `${str(c.image)}@sha256:${"0".repeat(64)}`,
      containerID: containerId(),
      restartCount,
    };
    if (outcome.state === "running") {
      if (!outcome.ready) this.later(`probe:${p.metadata.uid}/${name}`, this.probeMs(), () => this.probe(p, c));
      return { ...base, ready: outcome.ready, started: true, state: { running: { startedAt } } };
    }
    const failures = restartCount + 1;
    const backoff = backoffSeconds(failures);
    this.ctx.cluster.recordEvent(
      p,
      "Warning",
      "BackOff",
      `Back-off restarting failed container ${name} in pod ${podRef(p)}`,
      "kubelet",
    );
    this.later(`restart:${p.metadata.uid}/${name}`, (backoff * 1000 * this.ctx.podReadyDelayMs) / 1000, () =>
      this.restart(p, c, failures),
    );
    return {
      ...base,
      restartCount: failures,
      ready: false,
      started: false,
      state: {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off ${backoff}s restarting failed container=${name} pod=${podRef(p)}`,
        },
      },
      lastState: {
        terminated: {
          exitCode: 1,
          reason: "Error",
          message: outcome.message,
          startedAt,
          finishedAt: nowIso(),
          containerID: base.containerID,
        },
      },
    };
  }

  /** Readiness probes run at a fixed period; scaled down for tests, but never tighter than 100 ms. */
  private probeMs(): number {
    return Math.max(100, this.ctx.podReadyDelayMs);
  }

  private replaceStatus(p: KObject, name: string, next: Obj): void {
    const statuses = objs(statusOf(p).containerStatuses).map((s) => (s.name === name ? next : s));
    writeStatus(this.ctx.cluster, this.pods, p, this.withConditions({ ...statusOf(p), containerStatuses: statuses }));
  }

  private restart(p: KObject, c: Obj, restartCount: number): void {
    const now = this.current(p);
    if (!now) return;
    this.replaceStatus(now, str(c.name), this.start(now, c, restartCount));
  }

  private probe(p: KObject, c: Obj): void {
    const now = this.current(p);
    const runtime = this.ctx.runtime;
    if (!now || !runtime) return;
    const name = str(c.name);
    const result = runtime.probe(now, c);
    if (!result) return;
    this.ctx.cluster.logs.append(now, name, result.log);
    if (!result.ready) return this.later(`probe:${now.metadata.uid}/${name}`, this.probeMs(), () => this.probe(now, c));
    const status = objs(statusOf(now).containerStatuses).find((s) => s.name === name);
    if (status) this.replaceStatus(now, name, { ...status, ready: true });
  }

  /** Pods whose start waits for a volume are retried when a Secret, ConfigMap or claim appears in their namespace. */
  waitingOn(ns: string | undefined): KObject[] {
    return this.ctx.cluster.list(this.pods, ns).filter((p) => this.mountFailures.has(p.metadata.uid ?? ""));
  }

  forget(p: KObject): void {
    this.mountFailures.delete(p.metadata.uid ?? "");
    this.ctx.cluster.logs.forget(p);
    for (const [key, t] of this.timers) {
      if (key.includes(`:${p.metadata.uid}/`)) {
        clearTimeout(t);
        this.timers.delete(key);
      }
    }
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
