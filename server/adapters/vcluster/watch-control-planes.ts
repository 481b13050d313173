/**
 * Watches every vcluster control plane on one host: StatefulSets, Deployments (the chart's default kind) and pods
 * labelled app=vcluster in all namespaces.
 * Each change calls the handler with the namespace and release; the handler re-reads state (level-based), so a
 * re-list after the watch expired (410) or a reconnect only has to say "look again" for what changed meanwhile.
 */
import { Watch, type KubernetesObject } from "@kubernetes/client-node";
import type { AppError } from "@/server/universal/errors";
import { translateKubernetesError } from "@/server/adapters/kubernetes/errors";
import { createHostClients, type HostClients } from "@/server/adapters/kubernetes/host-client";

export type ControlPlaneResource = "statefulsets" | "deployments" | "pods";

export interface ControlPlaneEvent {
  /** the host namespace of the vcluster */
  namespace: string;
  /** the vcluster's name (the objects' `release` label) */
  name: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  resource: ControlPlaneResource;
}

export interface WatchControlPlanesOptions {
  kubeconfig: string;
  onChange: (event: ControlPlaneEvent) => void;
  /** a watch or list failed; it is retried with backoff */
  onError?: (error: AppError, resource: ControlPlaneResource) => void;
  /** a full list was read: at start, after the watch expired (410), or after a failure */
  onRelist?: (resource: ControlPlaneResource, reason: "initial" | "expired" | "error") => void;
  requestTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface ControlPlaneWatch {
  stop(): Promise<void>;
}

const SELECTOR = "app=vcluster";
/** the server closes each watch after about this long, so a silently dead connection cannot last */
const WATCH_SECONDS = 300;

const paths: Record<ControlPlaneResource, string> = {
  statefulsets: "/apis/apps/v1/statefulsets",
  deployments: "/apis/apps/v1/deployments",
  pods: "/api/v1/pods",
};

function keyOf(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}

function statusCode(value: unknown): number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as { code?: unknown; statusCode?: unknown };
  return typeof v.code === "number" ? v.code : typeof v.statusCode === "number" ? v.statusCode : undefined;
}

class ResourceWatch {
  private known = new Map<string, { rv: string; object: KubernetesObject }>();
  private resourceVersion: string | null = null;
  private controller: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;
  private backoffMs: number;
  private stopped = false;

  constructor(
    private readonly resource: ControlPlaneResource,
    private readonly clients: HostClients,
    private readonly watch: Watch,
    private readonly options: WatchControlPlanesOptions,
  ) {
    this.backoffMs = options.minBackoffMs ?? 200;
  }

  start(): void {
    void this.relist("initial");
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.controller?.abort();
  }

  private emit(type: ControlPlaneEvent["type"], o: KubernetesObject): void {
    const namespace = o.metadata?.namespace;
    if (!namespace) return;
    const name = o.metadata?.labels?.release ?? o.metadata?.name ?? "";
    try {
      this.options.onChange({ namespace, name, type, resource: this.resource });
    } catch {
      // a failing handler must not end the watch; the next change or re-list calls it again
    }
  }

  private async list(): Promise<{ items: KubernetesObject[]; resourceVersion: string }> {
    const { apps, core } = this.clients;
    const lists: Record<
      ControlPlaneResource,
      () => Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }>
    > = {
      statefulsets: () => apps.listStatefulSetForAllNamespaces({ labelSelector: SELECTOR }),
      deployments: () => apps.listDeploymentForAllNamespaces({ labelSelector: SELECTOR }),
      pods: () => core.listPodForAllNamespaces({ labelSelector: SELECTOR }),
    };
    const result = await this.clients.call(`${this.resource} labelled ${SELECTOR}`, lists[this.resource]);
    return { items: result.items, resourceVersion: result.metadata?.resourceVersion ?? "" };
  }

  private async relist(reason: "initial" | "expired" | "error"): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    try {
      const { items, resourceVersion } = await this.list();
      if (generation !== this.generation) return;
      const seen = new Set<string>();
      for (const o of items) {
        const key = keyOf(o);
        seen.add(key);
        const before = this.known.get(key);
        const rv = o.metadata?.resourceVersion ?? "";
        this.known.set(key, { rv, object: o });
        if (!before) this.emit("ADDED", o);
        else if (before.rv !== rv) this.emit("MODIFIED", o);
      }
      for (const [key, entry] of this.known) {
        if (seen.has(key)) continue;
        this.known.delete(key);
        this.emit("DELETED", entry.object);
      }
      this.resourceVersion = resourceVersion;
      this.options.onRelist?.(this.resource, reason);
      this.backoffMs = this.options.minBackoffMs ?? 200;
      void this.startWatch();
    } catch (err) {
      if (generation !== this.generation) return;
      this.fail(err, () => void this.relist("error"));
    }
  }

  private fail(err: unknown, retry: () => void): void {
    if (this.stopped) return;
    this.options.onError?.(
      translateKubernetesError(err, {
        host: this.clients.hostName,
        what: `watch of ${this.resource} labelled ${SELECTOR}`,
      }),
      this.resource,
    );
    const delay = this.backoffMs * (0.5 + Math.random() / 2);
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.timer = setTimeout(retry, delay);
  }

  private async startWatch(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    let expired = false;
    let received = false;
    // a host that accepts the connection but never answers would otherwise hold the watch forever
    const connectTimer = setTimeout(() => {
      if (generation !== this.generation) return;
      this.generation++;
      this.fail(new DOMException("watch did not start", "TimeoutError"), () => void this.startWatch());
    }, this.clients.requestTimeoutMs);
    const onEvent = (type: string, object: KubernetesObject) => {
      if (generation !== this.generation) return;
      received = true;
      if (type === "ERROR") {
        if (statusCode(object) === 410) expired = true;
        return;
      }
      const rv = object.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (type === "BOOKMARK") return;
      const key = keyOf(object);
      if (type === "DELETED") this.known.delete(key);
      else this.known.set(key, { rv: rv ?? "", object });
      if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") this.emit(type, object);
    };
    const onDone = (err: unknown) => {
      clearTimeout(connectTimer);
      if (generation !== this.generation || this.stopped) return;
      this.controller = null;
      // a watch that delivered events was healthy: a later drop starts the backoff afresh
      if (received) this.backoffMs = this.options.minBackoffMs ?? 200;
      if (expired || statusCode(err) === 410) return void this.relist("expired");
      if (err) return this.fail(err, () => void this.startWatch());
      // a normal end (server timeout or a dropped stream): resume from the last resourceVersion
      this.timer = setTimeout(() => void this.startWatch(), received ? 0 : this.backoffMs);
    };
    const controller = await this.watch.watch(
      paths[this.resource],
      {
        labelSelector: SELECTOR,
        resourceVersion: this.resourceVersion ?? undefined,
        allowWatchBookmarks: true,
        timeoutSeconds: WATCH_SECONDS,
      },
      onEvent,
      onDone,
    );
    clearTimeout(connectTimer);
    if (generation !== this.generation) controller.abort();
    else this.controller = controller;
  }
}

/** Starts watching; events arrive until `stop()`. */
export function watchControlPlanes(options: WatchControlPlanesOptions): ControlPlaneWatch {
  const clients = createHostClients(options.kubeconfig, { requestTimeoutMs: options.requestTimeoutMs });
  const watch = new Watch(clients.kubeConfig);
  const watches = (["statefulsets", "deployments", "pods"] as const).map(
    (r) => new ResourceWatch(r, clients, watch, options),
  );
  for (const w of watches) w.start();
  return {
    stop() {
      for (const w of watches) w.stop();
      return Promise.resolve();
    },
  };
}
