/**
 * The VClusterAdapter over @kubernetes/client-node, following real vcluster's conventions (vcluster-facts.md):
 * one namespace per vcluster, the control plane StatefulSet `app=vcluster,release=<name>`, pause/resume through the
 * loft.sh/paused* annotations, the kubeconfig in Secret vc-<name>.
 */
import type { V1StatefulSet } from "@kubernetes/client-node";
import { AppError } from "@/server/errors";
import { isNotFound } from "@/server/adapters/kubernetes/errors";
import { createHostClients, mergePatch, type HostClients } from "@/server/adapters/kubernetes/host-client";
import { parseCpuMillis, parseMemoryBytes } from "@/server/adapters/kubernetes/quantity";
import { createHelmInstaller, createManifestsInstaller, type HelmOptions, type Installer, type InstallerKind } from "./installers";
import { inspectKubeconfig } from "./kubeconfig-check";
import {
  controlPlaneSelector,
  kubeconfigSecretName,
  MANAGED_BY_LABEL,
  PAUSED_ANNOTATION,
  PAUSED_DATE_ANNOTATION,
  PAUSED_REPLICAS_ANNOTATION,
  VCLUSTER_ID_LABEL,
} from "./labels";
import { deriveHostStatus } from "./status";
import type { HostInfo, HostSpec, HostStatus, KubeconfigResult, VClusterAdapter, VClusterTarget } from "./types";

export interface VClusterAdapterOptions {
  /** the host cluster's kubeconfig YAML; never logged */
  kubeconfig: string;
  installer?: InstallerKind;
  /** deadline of each request to the host (default 10 s) */
  requestTimeoutMs?: number;
  /** how the host is named in messages (default: its server's host:port) */
  hostName?: string;
  /** how long uninstall waits for the namespace to disappear (default 120 s) */
  uninstallTimeoutMs?: number;
  /** deadline of the portal's reachability check of a vcluster's own API server (default 3 s) */
  reachabilityTimeoutMs?: number;
  helm?: HelmOptions;
}

const UNINSTALL_POLL_MS = 100;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class KubernetesVClusterAdapter implements VClusterAdapter {
  private readonly installer: Installer;

  constructor(
    private readonly clients: HostClients,
    installer: Installer,
    private readonly options: { uninstallTimeoutMs: number; reachabilityTimeoutMs: number },
  ) {
    this.installer = installer;
  }

  async probe(): Promise<HostInfo> {
    const version = await this.clients.call("version", () => this.clients.version.getCode());
    const nodes = await this.clients.call("nodes", () => this.clients.core.listNode());
    let cpu = 0;
    let memory = 0n;
    for (const node of nodes.items) {
      const allocatable = node.status?.allocatable ?? {};
      if (allocatable.cpu) cpu += parseCpuMillis(allocatable.cpu);
      if (allocatable.memory) memory += parseMemoryBytes(allocatable.memory);
    }
    return { kubernetesVersion: version.gitVersion, nodes: nodes.items.length, allocatableCpuMillis: cpu, allocatableMemoryBytes: memory };
  }

  async install(target: VClusterTarget, spec: HostSpec): Promise<void> {
    await this.assertNamespaceIsOurs(target);
    const existing = await this.readStatefulSet(target);
    const paused = existing?.metadata?.annotations?.[PAUSED_ANNOTATION] === "true";
    await this.installer.install(target, spec, paused ? 0 : spec.replicas);
    // a paused vcluster stays at 0; the new replica count is what resume will restore
    if (paused) await this.patchStatefulSet(target, { metadata: { annotations: { [PAUSED_REPLICAS_ANNOTATION]: String(spec.replicas) } } });
  }

  upgrade(target: VClusterTarget, spec: HostSpec): Promise<void> {
    return this.install(target, spec);
  }

  async scale(target: VClusterTarget, replicas: number): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new AppError("INVALID", `replicas must be a whole number ≥ 0, got ${replicas}`);
    const sts = await this.requireStatefulSet(target);
    if (sts.metadata?.annotations?.[PAUSED_ANNOTATION] === "true") {
      await this.patchStatefulSet(target, { metadata: { annotations: { [PAUSED_REPLICAS_ANNOTATION]: String(replicas) } } });
      return;
    }
    await this.clients.call(`scale of StatefulSet ${target.namespace}/${target.name}`, () =>
      this.clients.apps.patchNamespacedStatefulSetScale({ namespace: target.namespace, name: target.name, body: { spec: { replicas } } }, mergePatch),
    );
  }

  async suspend(target: VClusterTarget): Promise<void> {
    const sts = await this.requireStatefulSet(target);
    const annotations = sts.metadata?.annotations ?? {};
    if (annotations[PAUSED_ANNOTATION] !== "true") {
      await this.patchStatefulSet(target, {
        metadata: {
          annotations: {
            [PAUSED_ANNOTATION]: "true",
            [PAUSED_REPLICAS_ANNOTATION]: String(sts.spec?.replicas ?? 1),
            [PAUSED_DATE_ANNOTATION]: String(Math.floor(Date.now() / 1000)),
          },
        },
        spec: { replicas: 0 },
      });
    } else if ((sts.spec?.replicas ?? 0) !== 0) {
      await this.patchStatefulSet(target, { spec: { replicas: 0 } });
    }
    await this.clients.call(`deletion of the synced workload pods in ${target.namespace}`, () =>
      this.clients.core.deleteCollectionNamespacedPod({ namespace: target.namespace, labelSelector: `${MANAGED_BY_LABEL}=${target.name}` }),
    );
  }

  async resume(target: VClusterTarget): Promise<void> {
    const sts = await this.requireStatefulSet(target);
    const annotations = sts.metadata?.annotations ?? {};
    if (annotations[PAUSED_ANNOTATION] !== "true") return;
    const saved = Number.parseInt(annotations[PAUSED_REPLICAS_ANNOTATION] ?? "", 10);
    await this.patchStatefulSet(target, {
      metadata: { annotations: { [PAUSED_ANNOTATION]: null, [PAUSED_REPLICAS_ANNOTATION]: null, [PAUSED_DATE_ANNOTATION]: null } },
      spec: { replicas: Number.isFinite(saved) && saved > 0 ? saved : 1 },
    });
  }

  async uninstall(target: VClusterTarget): Promise<void> {
    const ns = await this.assertNamespaceIsOurs(target);
    if (!ns) return;
    await this.installer.uninstall(target);
    const what = `namespace ${target.namespace}`;
    try {
      await this.clients.call(`deletion of ${what}`, () => this.clients.core.deleteNamespace({ name: target.namespace }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const deadline = Date.now() + this.options.uninstallTimeoutMs;
    for (;;) {
      try {
        await this.clients.call(what, () => this.clients.core.readNamespace({ name: target.namespace }));
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (Date.now() >= deadline) {
        throw new AppError("TIMEOUT", `${what} on host ${this.clients.hostName} is still terminating after ${this.options.uninstallTimeoutMs / 1000} s; something in it holds a finalizer`);
      }
      await sleep(UNINSTALL_POLL_MS);
    }
  }

  async status(target: VClusterTarget): Promise<HostStatus> {
    const statefulSet = await this.readStatefulSet(target);
    if (!statefulSet) return deriveHostStatus({ statefulSet: null, pods: [], events: [], apiServerEndpoint: null });
    const [pods, events, secret] = await Promise.all([
      this.clients.call(`control plane pods in ${target.namespace}`, () => this.clients.core.listNamespacedPod({ namespace: target.namespace, labelSelector: controlPlaneSelector(target.name) })),
      this.clients.call(`events in ${target.namespace}`, () => this.clients.core.listNamespacedEvent({ namespace: target.namespace })),
      this.readKubeconfigSecret(target),
    ]);
    const ownNames = (n: string | undefined) => !!n && (n === target.name || n.startsWith(`${target.name}-`) || n.startsWith(`data-${target.name}-`));
    let apiServerEndpoint: string | null = null;
    if (secret) {
      try {
        apiServerEndpoint = inspectKubeconfig(secret).server;
      } catch {
        apiServerEndpoint = null;
      }
    }
    return deriveHostStatus({ statefulSet, pods: pods.items, events: events.items.filter((e) => ownNames(e.involvedObject.name)), apiServerEndpoint });
  }

  async kubeconfig(target: VClusterTarget): Promise<KubeconfigResult> {
    const config = await this.readKubeconfigSecret(target);
    if (config === null) {
      throw new AppError("NOT_FOUND", `Secret ${kubeconfigSecretName(target.name)} with the kubeconfig of vcluster ${target.name} not found in namespace ${target.namespace} on host ${this.clients.hostName}; the control plane writes it once it is ready`);
    }
    const { server } = inspectKubeconfig(config);
    if (/^https:\/\/(localhost|127\.0\.0\.1|\[::1\]):8443\/?$/.test(server)) {
      return {
        kubeconfig: config,
        server,
        reachable: false,
        warning: `This kubeconfig points at ${server}, vcluster's default, which only works through a port-forward (\`vcluster connect ${target.name} -n ${target.namespace}\`). Set exportKubeConfig.server in the vcluster's values to an address reachable from outside the host cluster.`,
      };
    }
    const reachable = await this.checkReachable(config);
    return {
      kubeconfig: config,
      server,
      reachable: reachable === null,
      warning: reachable === null ? null : `The portal could not reach the vcluster's API server at ${server}: ${reachable}`,
    };
  }

  /** null when `/version` answers with the kubeconfig's CA and credentials, else why not */
  private async checkReachable(config: string): Promise<string | null> {
    try {
      const clients = createHostClients(config, { requestTimeoutMs: this.options.reachabilityTimeoutMs });
      await clients.call("version", () => clients.version.getCode());
      return null;
    } catch (err) {
      return err instanceof AppError ? err.message : "the kubeconfig could not be used";
    }
  }

  private async readKubeconfigSecret(target: VClusterTarget): Promise<string | null> {
    const name = kubeconfigSecretName(target.name);
    try {
      const secret = await this.clients.call(`Secret ${target.namespace}/${name}`, () => this.clients.core.readNamespacedSecret({ namespace: target.namespace, name }));
      const data = secret.data?.config;
      return data ? Buffer.from(data, "base64").toString("utf8") : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async readStatefulSet(target: VClusterTarget): Promise<V1StatefulSet | null> {
    try {
      return await this.clients.call(`StatefulSet ${target.namespace}/${target.name}`, () => this.clients.apps.readNamespacedStatefulSet({ namespace: target.namespace, name: target.name }));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async requireStatefulSet(target: VClusterTarget): Promise<V1StatefulSet> {
    const sts = await this.readStatefulSet(target);
    if (!sts) throw new AppError("NOT_FOUND", `vcluster ${target.name} (StatefulSet ${target.namespace}/${target.name}) not found on host ${this.clients.hostName}`);
    return sts;
  }

  private patchStatefulSet(target: VClusterTarget, body: object): Promise<V1StatefulSet> {
    return this.clients.call(`StatefulSet ${target.namespace}/${target.name}`, () => this.clients.apps.patchNamespacedStatefulSet({ namespace: target.namespace, name: target.name, body }, mergePatch));
  }

  /** Refuses to touch a namespace that belongs to something else; returns it when it exists. */
  private async assertNamespaceIsOurs(target: VClusterTarget) {
    try {
      const ns = await this.clients.call(`namespace ${target.namespace}`, () => this.clients.core.readNamespace({ name: target.namespace }));
      const owner = ns.metadata?.labels?.[VCLUSTER_ID_LABEL];
      if (owner !== target.vclusterId) {
        throw new AppError("CONFLICT", `namespace ${target.namespace} on host ${this.clients.hostName} exists and ${owner ? `belongs to vcluster ${owner}` : "is not managed by the portal"}; choose another namespace`);
      }
      return ns;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
}

export function createVClusterAdapter(options: VClusterAdapterOptions): VClusterAdapter {
  const clients = createHostClients(options.kubeconfig, { requestTimeoutMs: options.requestTimeoutMs, hostName: options.hostName });
  const installer = options.installer === "helm" ? createHelmInstaller(clients, options.kubeconfig, options.helm) : createManifestsInstaller(clients);
  return new KubernetesVClusterAdapter(clients, installer, {
    uninstallTimeoutMs: options.uninstallTimeoutMs ?? 120_000,
    reachabilityTimeoutMs: options.reachabilityTimeoutMs ?? 3_000,
  });
}
