import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import type { Duplex } from "node:stream";
import {
  certCoversHosts,
  clientCert,
  createCa,
  isSuperAdminCert,
  keptPair,
  keptToken,
  serverCert,
  type KeyPair,
} from "./certs";
import { Cluster } from "./cluster";
import { startControllers } from "./controllers";
import { specOf } from "./controllers/context";
import { WorkQueue, nsKey, splitKey } from "./controllers/queue";
import type { ContainerRuntime, ContainerStart } from "./controllers/runtime";
import { versionInfo, type ApiContext } from "./apicontext";
import { superAdmin } from "./authn";
import { hostName } from "./controllers/podsync";
import { duplexPair } from "./duplexpair";
import { kubeconfigYaml } from "./kubeconfig";
import type { Dial } from "./portforward";
import { isPodScoped, storeKeyOf } from "./datavolume";
import type { ApiListeners, ApiServer } from "./server";
import { Store } from "./store";
import { checkSyncerStart, controlPlanes, etcdReachable, releaseOf, workloadOf } from "./syncer";
import { isObj, objs, str, type KObject, type Obj } from "./types";
import { exportContext, exportServer, extraSANs, proxyPort, workloadServiceAccount } from "./vclusterconfig";
import { vclusterProxyAuthorizer } from "./vclusterproxy";
import { WatchHub } from "./watch";

/** Used when a control plane names no Kubernetes version in its images. */
export const defaultVirtualVersion = "v1.33.1";

function imageVersion(image: string): string | undefined {
  const ref = image.split("@")[0];
  const colon = ref.lastIndexOf(":");
  if (colon < 0 || ref.slice(colon).includes("/")) return undefined;
  const m = /^v?(1\.\d+(?:\.\d+)?(?:[-+][\w.+-]*)?)$/.exec(ref.slice(colon + 1));
  return m ? `v${m[1]}` : undefined;
}

/**
 * The Kubernetes version a control plane runs: the tag of the chart's init container "kubernetes"
 * (templates/_init-containers.tpl, e.g. ghcr.io/loft-sh/kubernetes:v1.36.0), whose binaries the syncer starts.
 */
export function versionFromWorkload(workload: KObject): string {
  const tpl = specOf(workload).template;
  const podSpec = isObj(tpl) && isObj(tpl.spec) ? tpl.spec : {};
  const init = objs(podSpec.initContainers).find((c) => c.name === "kubernetes");
  return (init && imageVersion(str(init.image))) ?? defaultVirtualVersion;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** The serving certificate's names: the syncer's own (pkg/certs/ensure.go) plus what the config adds. */
function servingHosts(ns: string, name: string, config: Obj): string[] {
  const fixed = [
    "localhost",
    "127.0.0.1",
    name,
    `${name}.${ns}`,
    `${name}.${ns}.svc`,
    `${name}.${ns}.svc.cluster.local`,
  ];
  const server = exportServer(config);
  const exported = server ? [new URL(server).hostname.replace(/^\[|\]$/g, "")] : [];
  return [...new Set([...fixed, ...extraSANs(config), ...exported])];
}

interface Running {
  api: ApiContext;
  store: Store;
  /** which volume the state lives on (datavolume.ts); another one means another store */
  storeKey: string;
  token: string;
  server: https.Server;
  connections: Set<Duplex>;
  hosts: string[];
  stop: () => void;
}

export interface VirtualClusterOptions {
  dataDir: string;
  /** How long a watch may live under the injected faults. */
  watchLifetime: (startedAt: number) => number | undefined;
  podReadyDelayMs: number;
  bookmarkIntervalMs: number;
  historySize?: number;
  /** The request and upgrade handlers of an API server, given its API, access and faults scope ("vc/NS/NAME"). */
  listeners: (server: ApiServer) => ApiListeners;
}

/**
 * Runs what vcluster's syncer runs in a control-plane pod: the start checks (as the container runtime of its
 * `syncer` container), a virtual API for each release while one of its pods' syncers is ready, served over TLS on
 * the pod's proxy port and reached through pods/portforward, and Secret vc-NAME. Data outlives pauses and goes
 * with the namespace.
 */
export class VirtualClusters {
  private running = new Map<string, Running>();
  /** The config each release's syncer last started with. */
  private configs = new Map<string, Obj>();
  private queue: WorkQueue;
  private unsubscribe: () => void;

  constructor(
    private readonly host: Cluster,
    private readonly opts: VirtualClusterOptions,
  ) {
    this.queue = new WorkQueue("vcluster", (key) => this.reconcile(key));
    this.unsubscribe = host.store.subscribe((e) => {
      if (e.res === "statefulsets.apps" || e.res === "deployments.apps" || e.res === "pods") {
        const release = releaseOf(e.obj);
        if (release) this.queue.add(nsKey(e.obj.metadata.namespace, release));
      }
      if (e.res === "namespaces" && e.type === "DELETED") this.forgetNamespace(e.obj.metadata.name ?? "");
    });
    const root = path.join(opts.dataDir, "vclusters");
    if (fs.existsSync(root)) {
      for (const ns of fs.readdirSync(root))
        if (!host.find(host.rt("", "namespaces"), undefined, ns))
          fs.rmSync(path.join(root, ns), { recursive: true, force: true });
    }
    for (const w of controlPlanes(host)) this.queue.add(nsKey(w.metadata.namespace, releaseOf(w)));
  }

  private dir(ns: string, name: string): string {
    return path.join(this.opts.dataDir, "vclusters", ns, name);
  }

  private ca(ns: string, name: string): KeyPair {
    return keptPair(path.join(this.dir(ns, name), "pki"), "ca", createCa);
  }

  /** The kubelet's view of a `syncer` container in a control-plane pod; other containers are not ours. */
  readonly runtime: ContainerRuntime = {
    start: (pod, container) => {
      const workload = workloadOf(this.host, pod);
      if (container.name !== "syncer" || !workload || !releaseOf(workload)) return undefined;
      return this.startSyncer(pod, container);
    },
    probe: (pod, container) => {
      if (container.name !== "syncer" || !releaseOf(pod)) return undefined;
      const ns = pod.metadata.namespace ?? "";
      const name = releaseOf(pod) ?? "";
      const config = this.configs.get(nsKey(ns, name));
      if (config && etcdReachable(this.host, ns, name, config))
        return { ready: true, log: [logLine("INFO", "etcd is ready")] };
      return {
        ready: false,
        log: [logLine("INFO", "Couldn't connect to etcd (will retry in a second): context deadline exceeded")],
      };
    },
  };

  private startSyncer(pod: KObject, container: Obj): ContainerStart {
    const image = str(container.image);
    const log = [logLine("INFO", `vCluster version\t{"version": "${image.slice(image.lastIndexOf(":") + 1)}"}`)];
    const check = checkSyncerStart(this.host, pod, container);
    if ("fatal" in check)
      return {
        state: "failed",
        message: check.fatal,
        log: [...log, logLine("ERROR", `error\t{"error": ${JSON.stringify(check.fatal)}}`)],
      };
    const ns = pod.metadata.namespace ?? "";
    this.configs.set(nsKey(ns, check.name), check.config);
    this.ensureCertsSecret(ns, check.name);
    const ready = etcdReachable(this.host, ns, check.name, check.config);
    return {
      state: "running",
      ready,
      log: [
        ...log,
        ...(ready
          ? []
          : [logLine("INFO", "Couldn't connect to etcd (will retry in a second): context deadline exceeded")]),
      ],
    };
  }

  /** Secret NAME-certs, which the syncer writes before etcd starts (pkg/certs/ensure.go) and the chart's etcd mounts. */
  private ensureCertsSecret(ns: string, name: string): void {
    const secrets = this.host.rt("", "secrets");
    if (this.host.find(secrets, ns, `${name}-certs`)) return;
    const ca = this.ca(ns, name);
    const data = Object.fromEntries(
      ["ca", "server-ca", "client-ca", "etcd-ca", "etcd-server", "etcd-peer", "apiserver-etcd-client"].flatMap((k) => [
        [`${k}.crt`, b64(ca.certPem)],
        [`${k}.key`, b64(ca.keyPem)],
      ]),
    );
    this.host.create(secrets, ns, {
      metadata: {
        name: `${name}-certs`,
        namespace: ns,
        labels: { app: "vcluster", "vcluster-name": name },
        ownerReferences: this.serviceOwner(ns, name),
      },
      type: "Opaque",
      data,
    });
  }

  /** With experimental.syncSettings.setOwner (the default) the syncer's Secrets are owned by Service NAME, so uninstalling removes them. */
  private serviceOwner(ns: string, name: string): KObject["metadata"]["ownerReferences"] {
    const svc = this.host.find(this.host.rt("", "services"), ns, name);
    return svc ? [{ apiVersion: "v1", kind: "Service", name, uid: svc.metadata.uid ?? "" }] : undefined;
  }

  private readySyncers(ns: string, name: string): KObject[] {
    return this.host
      .list(this.host.rt("", "pods"), ns)
      .filter(
        (p) =>
          releaseOf(p) === name &&
          !p.metadata.deletionTimestamp &&
          objs(isObj(p.status) ? p.status.containerStatuses : []).some((s) => s.name === "syncer" && s.ready === true),
      );
  }

  private reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const workload = controlPlanes(this.host, ns).find((w) => releaseOf(w) === name);
    const ready = this.readySyncers(ns, name);
    if (!workload || ready.length === 0) return this.stop(key);
    const config = this.configs.get(key) ?? this.recoverConfig(ready[0]);
    if (!config) return this.stop(key);
    const gitVersion = versionFromWorkload(workload);
    const storeKey = storeKeyOf(workload, ready[0], config);
    const current = this.running.get(key);
    if (current && (current.api.version.gitVersion !== gitVersion || current.storeKey !== storeKey)) this.stop(key);
    const r = this.running.get(key) ?? this.open(ns, name, gitVersion, workload, config, storeKey);
    this.running.set(key, r);
    const hosts = servingHosts(ns, name, config);
    if (hosts.join() !== r.hosts.join()) {
      const tls = this.servingCert(ns, name, hosts);
      r.server.setSecureContext({ key: tls.keyPem, cert: tls.certPem, ca: this.ca(ns, name).certPem });
      r.hosts = hosts;
    }
    this.writeSecret(ns, name, config);
  }

  /** After a simulator restart the syncers still run; their config is read again from what they mounted. */
  private recoverConfig(pod: KObject): Obj | undefined {
    const container = objs(specOf(pod).containers).find((c) => c.name === "syncer");
    const check = container ? checkSyncerStart(this.host, pod, container) : undefined;
    if (!check || "fatal" in check) return undefined;
    this.configs.set(nsKey(pod.metadata.namespace, check.name), check.config);
    return check.config;
  }

  private servingCert(ns: string, name: string, hosts: string[]): KeyPair {
    return keptPair(
      path.join(this.dir(ns, name), "pki"),
      "apiserver",
      () => serverCert(this.ca(ns, name), hosts),
      (p) => certCoversHosts(p, hosts),
    );
  }

  private open(
    ns: string,
    name: string,
    gitVersion: string,
    workload: KObject,
    config: Obj,
    storeKey: string,
  ): Running {
    const dir = this.dir(ns, name);
    // an emptyDir went with its pod: whatever another pod wrote there is gone
    if (isPodScoped(storeKey) && fs.existsSync(dir)) {
      for (const entry of fs.readdirSync(dir))
        if (entry.startsWith("store-pod-") && entry !== `store-${storeKey}`)
          fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
    const store = Store.open(path.join(dir, `store-${storeKey}`), this.opts.historySize);
    const cluster = new Cluster(store);
    const ca = this.ca(ns, name);
    const stop = startControllers(
      { cluster, podReadyDelayMs: this.opts.podReadyDelayMs, gitVersion, caPem: ca.certPem },
      {
        sync: {
          host: this.host,
          namespace: ns,
          release: name,
          owner: workload,
          serviceAccount: workloadServiceAccount(config, name),
        },
      },
    );
    const hub = new WatchHub(this.opts.watchLifetime);
    const token = keptToken(this.dir(ns, name), "token");
    const version = versionInfo(gitVersion);
    const hostPod = (vns: string, vname: string) => ({ cluster: this.host, ns, name: hostName(vns, vname, name) });
    const api: ApiContext = { cluster, version, hub, bookmarkIntervalMs: this.opts.bookmarkIntervalMs, hostPod };
    // hostsim's token stands in for the certificate's identity (the real Secret's token is empty)
    const access = {
      tokens: new Map([[token, superAdmin]]),
      minor: Number(version.minor),
      authorize: vclusterProxyAuthorizer(cluster),
    };
    const hosts = servingHosts(ns, name, config);
    const tls = this.servingCert(ns, name, hosts);
    const listeners = this.opts.listeners({ api, access, scope: `vc/${ns}/${name}` });
    const server = https.createServer(
      { key: tls.keyPem, cert: tls.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
      listeners.request,
    );
    server.on("upgrade", listeners.upgrade);
    return { store, storeKey, stop, token, api, server, hosts, connections: new Set() };
  }

  /** Port-forwarded connections: a ready syncer listens on the proxy port (controlPlane.proxy.port, 8443). */
  readonly dial: Dial = (pod, port) => {
    const name = releaseOf(pod) ?? "";
    const key = nsKey(pod.metadata.namespace, name);
    const r = this.running.get(key);
    const config = this.configs.get(key);
    const ready = this.readySyncers(pod.metadata.namespace ?? "", name).some(
      (p) => p.metadata.uid === pod.metadata.uid,
    );
    if (!r || !config || !ready || port !== proxyPort(config)) return { refused: true };
    const [client, server] = duplexPair();
    r.connections.add(client);
    client.on("close", () => r.connections.delete(client));
    r.server.emit("connection", server);
    return client;
  };

  /** Secret vc-NAME as pkg/util/kubeconfig/kubeconfig.go writes it, from the kubeconfig of pkg/setup/controllers.go. */
  private writeSecret(ns: string, name: string, config: Obj): void {
    const nsObj = this.host.find(this.host.rt("", "namespaces"), undefined, ns);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    const dir = this.dir(ns, name);
    const ca = this.ca(ns, name);
    const token = keptToken(dir, "token");
    const client = keptPair(path.join(dir, "pki"), "client", () => clientCert(ca), isSuperAdminCert);
    const server = exportServer(config) || `https://localhost:${proxyPort(config)}`;
    // kubeadm's super-admin kubeconfig names (cluster "kubernetes"), unless exportKubeConfig.context renames all three.
    const context = exportContext(config);
    const names = context
      ? { cluster: context, user: context, context }
      : { cluster: "kubernetes", user: "kubernetes-super-admin", context: "kubernetes-super-admin@kubernetes" };
    const kubeconfig = kubeconfigYaml({
      name,
      names,
      server,
      caPem: ca.certPem,
      clientCertPem: client.certPem,
      clientKeyPem: client.keyPem,
    });
    const data = {
      config: b64(kubeconfig),
      "certificate-authority": b64(ca.certPem),
      "client-certificate": b64(client.certPem),
      "client-key": b64(client.keyPem),
      token: b64(token),
    };
    const secrets = this.host.rt("", "secrets");
    const secretName = `vc-${name}`;
    const existing = this.host.find(secrets, ns, secretName);
    const labels = { app: "vcluster", "vcluster-name": name };
    const ownerReferences = this.serviceOwner(ns, name);
    if (!existing)
      this.host.create(secrets, ns, {
        metadata: { name: secretName, namespace: ns, labels, ownerReferences },
        type: "Opaque",
        data,
      });
    else
      this.host.update(secrets, ns, secretName, {
        ...existing,
        metadata: {
          ...existing.metadata,
          labels: { ...existing.metadata.labels, ...labels },
          ownerReferences: ownerReferences ?? existing.metadata.ownerReferences,
        },
        data,
      });
  }

  private stop(key: string): void {
    const r = this.running.get(key);
    if (!r) return;
    this.running.delete(key);
    for (const c of r.connections) c.destroy();
    r.api.hub.endAll();
    r.stop();
    r.store.close();
  }

  private forgetNamespace(ns: string): void {
    for (const key of [...this.running.keys(), ...this.configs.keys()]) {
      if (splitKey(key)[0] !== ns) continue;
      this.stop(key);
      this.configs.delete(key);
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

/** A line as the syncer's zap console encoder prints it. */
function logLine(level: "INFO" | "ERROR", message: string): string {
  return `${new Date().toISOString()}\t${level}\tvcluster\t${message}`;
}
