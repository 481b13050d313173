import fs from "node:fs";
import path from "node:path";
import { clientCert, keptPair, keptToken, type KeyPair } from "./certs";
import { Cluster } from "./cluster";
import { startControllers } from "./controllers";
import { specOf, statusOf } from "./controllers/context";
import { WorkQueue, nsKey, splitKey } from "./controllers/queue";
import { versionInfo, type ApiContext } from "./apicontext";
import { kubeconfigYaml } from "./kubeconfig";
import { Store } from "./store";
import { num, objs, str, type KObject } from "./types";
import { WatchHub } from "./watch";

/** Used when a StatefulSet's image carries no Kubernetes version tag. */
export const defaultVirtualVersion = "v1.33.1";

/** The Kubernetes version a vcluster StatefulSet runs, read from its images' tags ("…/kubernetes:v1.31.1"). */
export function versionFromStatefulSet(sts: KObject): string {
  const images = objs((specOf(sts).template as { spec?: { containers?: unknown } } | undefined)?.spec?.containers).map((c) => str(c.image));
  const preferred = [...images.filter((i) => /kube|k8s/.test(i.split("/").pop() ?? "")), ...images];
  for (const image of preferred) {
    const ref = image.split("@")[0];
    const colon = ref.lastIndexOf(":");
    if (colon < 0 || ref.slice(colon).includes("/")) continue;
    const m = /^v?(1\.\d+(?:\.\d+)?(?:[-+][\w.+-]*)?)$/.exec(ref.slice(colon + 1));
    if (m) return `v${m[1]}`;
  }
  return defaultVirtualVersion;
}

interface Running {
  api: ApiContext;
  store: Store;
  token: string;
  stop: () => void;
}

export interface VirtualClusterOptions {
  dataDir: string;
  ca: KeyPair;
  baseUrl: string;
  /** How long a watch may live under the injected faults. */
  watchLifetime: (startedAt: number) => number | undefined;
  podReadyDelayMs: number;
  bookmarkIntervalMs: number;
  historySize?: number;
}

export type Lookup = { state: "running"; api: ApiContext; token: string } | { state: "stopped" } | undefined;

/**
 * Runs a virtual cluster's own API for each StatefulSet labelled app=vcluster,release=NAME while it has a
 * ready pod, keeps its data while it is scaled down, and deletes the data with the namespace.
 */
export class VirtualClusters {
  private running = new Map<string, Running>();
  private known = new Set<string>();
  private queue: WorkQueue;
  private unsubscribe: () => void;

  constructor(
    private readonly host: Cluster,
    private readonly opts: VirtualClusterOptions,
  ) {
    this.queue = new WorkQueue("vcluster", (key) => this.reconcile(key));
    this.unsubscribe = host.store.subscribe((e) => {
      if (e.res === "statefulsets.apps") {
        const release = this.releaseOf(e.obj);
        if (release) this.queue.add(nsKey(e.obj.metadata.namespace, release));
      }
      if (e.res === "namespaces" && e.type === "DELETED") this.forgetNamespace(e.obj.metadata.name ?? "");
    });
    const root = path.join(opts.dataDir, "vclusters");
    if (fs.existsSync(root)) {
      for (const ns of fs.readdirSync(root)) if (!host.find(host.rt("", "namespaces"), undefined, ns)) fs.rmSync(path.join(root, ns), { recursive: true, force: true });
    }
    for (const sts of host.list(host.rt("apps", "statefulsets"))) {
      const release = this.releaseOf(sts);
      if (release) this.queue.add(nsKey(sts.metadata.namespace, release));
    }
  }

  private releaseOf(sts: KObject): string | undefined {
    const l = sts.metadata.labels ?? {};
    return l.app === "vcluster" && l.release ? l.release : undefined;
  }

  private dir(ns: string, name: string): string {
    return path.join(this.opts.dataDir, "vclusters", ns, name);
  }

  lookup(ns: string, name: string): Lookup {
    const key = nsKey(ns, name);
    const r = this.running.get(key);
    if (r) return { state: "running", api: r.api, token: r.token };
    return this.known.has(key) ? { state: "stopped" } : undefined;
  }

  private reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const sts = this.host.list(this.host.rt("apps", "statefulsets"), ns).find((s) => this.releaseOf(s) === name && !s.metadata.deletionTimestamp);
    if (!sts) {
      this.stop(key);
      this.known.delete(key);
      return;
    }
    this.known.add(key);
    if (num(statusOf(sts).readyReplicas) < 1 || num(specOf(sts).replicas, 1) < 1) {
      this.stop(key);
      return;
    }
    const gitVersion = versionFromStatefulSet(sts);
    const current = this.running.get(key);
    if (current && current.api.version.gitVersion !== gitVersion) this.stop(key);
    if (!this.running.has(key)) this.running.set(key, this.open(ns, name, gitVersion, sts));
    this.writeSecret(ns, name);
  }

  private open(ns: string, name: string, gitVersion: string, sts: KObject): Running {
    const store = Store.open(path.join(this.dir(ns, name), "store"), this.opts.historySize);
    const cluster = new Cluster(store);
    const stop = startControllers(
      { cluster, podReadyDelayMs: this.opts.podReadyDelayMs, gitVersion, caPem: this.opts.ca.certPem },
      { sync: { host: this.host, namespace: ns, release: name, owner: sts } },
    );
    const hub = new WatchHub(this.opts.watchLifetime);
    const token = keptToken(this.dir(ns, name), "token");
    return { store, stop, token, api: { cluster, version: versionInfo(gitVersion), hub, bookmarkIntervalMs: this.opts.bookmarkIntervalMs } };
  }

  private writeSecret(ns: string, name: string): void {
    const nsObj = this.host.find(this.host.rt("", "namespaces"), undefined, ns);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    const dir = this.dir(ns, name);
    const token = keptToken(dir, "token");
    const client = keptPair(dir, "client", () => clientCert(this.opts.ca, `vc/${ns}/${name}`));
    const server = `${this.opts.baseUrl}/vc/${ns}/${name}`;
    const config = kubeconfigYaml({ name: `vcluster_${name}_${ns}`, server, caPem: this.opts.ca.certPem, token });
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const data = { config: b64(config), "certificate-authority": b64(this.opts.ca.certPem), "client-certificate": b64(client.certPem), "client-key": b64(client.keyPem), token: b64(token) };
    const secrets = this.host.rt("", "secrets");
    const secretName = `vc-${name}`;
    const existing = this.host.find(secrets, ns, secretName);
    const body = { metadata: { name: secretName, namespace: ns, labels: { app: "vcluster", "vcluster-name": name } }, type: "Opaque", data };
    if (!existing) this.host.create(secrets, ns, body);
    else this.host.update(secrets, ns, secretName, { ...existing, metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...body.metadata.labels } }, data });
  }

  private stop(key: string): void {
    const r = this.running.get(key);
    if (!r) return;
    this.running.delete(key);
    r.api.hub.endAll();
    r.stop();
    r.store.close();
  }

  private forgetNamespace(ns: string): void {
    for (const key of [...this.running.keys(), ...this.known]) {
      if (splitKey(key)[0] !== ns) continue;
      this.stop(key);
      this.known.delete(key);
    }
    fs.rmSync(path.join(this.opts.dataDir, "vclusters", ns), { recursive: true, force: true });
  }

  refreshWatches(): void {
    for (const r of this.running.values()) r.api.hub.refresh();
  }

  close(): void {
    this.unsubscribe();
    this.queue.stop();
    for (const key of [...this.running.keys()]) this.stop(key);
  }
}
