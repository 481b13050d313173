/**
 * The VClusterAdapter over @kubernetes/client-node and a real helm with the real vcluster chart, following real
 * vcluster's conventions (vcluster-facts.md): one namespace per vcluster, the control plane (a Deployment or a
 * StatefulSet labelled app=vcluster,release=<name>), pause/resume as `vcluster pause`/`resume`, the kubeconfig in
 * Secret vc-<name>, and the virtual API reached through a port-forward as `vcluster connect` does.
 */
import { setTimeout as delay } from "node:timers/promises";
import { AppError } from "@/server/universal/errors";
import { isNotFound } from "@/server/adapters/kubernetes/errors";
import { createHostClients, type HostClients } from "@/server/adapters/kubernetes/host-client";
import { parseCpuMillis, parseMemoryBytes } from "@/server/universal/quantity";
import type { ChartSource } from "@/server/adapters/helm/chart-source";
import {
  findControlPlane,
  isPaused,
  patchWorkload,
  pauseControlPlane,
  resumeControlPlane,
  type ControlPlane,
} from "./control-plane";
import { createHelmRelease, type HelmRelease, type HelmReleaseOptions } from "./helm-release";
import { inspectKubeconfig } from "./kubeconfig-check";
import {
  controlPlaneSelector,
  kubeconfigSecretName,
  MANAGED_BY_LABEL,
  PAUSED_REPLICAS_ANNOTATION,
  VCLUSTER_ID_LABEL,
} from "./labels";
import { deriveHostStatus } from "./status";
import type { HostInfo, HostSpec, HostStatus, KubeconfigResult, VClusterAdapter, VClusterTarget } from "./types";
import { withDirectAccess, type DirectAccess } from "./direct-access";
import type { PodSecurityLevel } from "./namespace";
import { openVirtualApi, withVirtualApi, type VirtualApiChannel } from "./virtual-api";

export interface VClusterAdapterOptions {
  /** the host cluster's kubeconfig YAML; never logged */
  kubeconfig: string;
  /** where the chart comes from and the version this host pins */
  chart: ChartSource;
  /** deadline of each request to the host (default 10 s) */
  requestTimeoutMs?: number;
  /** how the host is named in messages (default: its server's host:port) */
  hostName?: string;
  /** how long uninstall waits for the namespace to disappear (default 120 s) */
  uninstallTimeoutMs?: number;
  helm?: Omit<HelmReleaseOptions, "chart">;
  /** this host's direct access to virtual APIs; null = only through the portal's gateway */
  directAccess?: DirectAccess | null;
  /** the Pod Security Standard this host enforces on vcluster namespaces (default baseline) */
  podSecurity?: PodSecurityLevel;
}

const UNINSTALL_POLL_MS = 100;

export class KubernetesVClusterAdapter implements VClusterAdapter {
  constructor(
    private readonly clients: HostClients,
    private readonly release: HelmRelease,
    private readonly options: { uninstallTimeoutMs: number; directAccess: DirectAccess | null },
  ) {}

  get chart(): ChartSource {
    return this.release.chart;
  }

  probe(): Promise<HostInfo> {
    return probeHost(this.clients);
  }

  async install(target: VClusterTarget, spec: HostSpec, chartVersion: string): Promise<void> {
    await this.assertNamespaceIsOurs(target);
    const existing = await findControlPlane(this.clients, target);
    const paused = existing ? isPaused(existing.object) : false;
    await this.release.install(
      target,
      withDirectAccess(spec, target, this.options.directAccess),
      paused ? 0 : spec.replicas,
      chartVersion,
    );
    // a paused vcluster stays at 0; the new replica count is what resume will restore
    if (paused) await this.annotatePausedReplicas(target, spec.replicas);
  }

  upgrade(target: VClusterTarget, spec: HostSpec, chartVersion: string): Promise<void> {
    return this.install(target, spec, chartVersion);
  }

  async suspend(target: VClusterTarget, configuredReplicas = 1): Promise<void> {
    const plane = await this.requireControlPlane(target);
    await pauseControlPlane(this.clients, target, plane, configuredReplicas);
    await this.clients.idempotent(`deletion of the synced workload pods in ${target.namespace}`, () =>
      this.clients.core.deleteCollectionNamespacedPod({
        namespace: target.namespace,
        labelSelector: `${MANAGED_BY_LABEL}=${target.name}`,
      }),
    );
  }

  async resume(target: VClusterTarget): Promise<void> {
    await resumeControlPlane(this.clients, target, await this.requireControlPlane(target));
  }

  async uninstall(target: VClusterTarget): Promise<void> {
    const ns = await this.assertNamespaceIsOurs(target);
    if (!ns) return;
    await this.release.uninstall(target);
    const what = `namespace ${target.namespace}`;
    try {
      await this.clients.idempotent(`deletion of ${what}`, () =>
        this.clients.core.deleteNamespace({ name: target.namespace }),
      );
    } catch (err) {
      // a namespace already terminating answers a further delete with 409 "The system is ensuring all content is
      // removed from this namespace" (kubernetes pkg/registry/core/namespace/storage/storage.go): that is the case
      // after an earlier attempt, or a retried delete whose first answer was lost, so wait for it like the first
      if (!isNotFound(err) && !(err instanceof AppError && err.code === "CONFLICT")) throw err;
    }
    const deadline = Date.now() + this.options.uninstallTimeoutMs;
    for (;;) {
      try {
        await this.clients.idempotent(what, () => this.clients.core.readNamespace({ name: target.namespace }));
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (Date.now() >= deadline) {
        throw new AppError(
          "TIMEOUT",
          `${what} on host ${this.clients.hostName} is still terminating after ${this.options.uninstallTimeoutMs / 1000} s; something in it holds a finalizer`,
        );
      }
      await delay(UNINSTALL_POLL_MS);
    }
  }

  async status(target: VClusterTarget): Promise<HostStatus> {
    const controlPlane = await findControlPlane(this.clients, target);
    if (!controlPlane) return deriveHostStatus({ controlPlane: null, pods: [], events: [], apiServerEndpoint: null });
    const [pods, events, secret] = await Promise.all([
      this.clients.idempotent(`control plane pods in ${target.namespace}`, () =>
        this.clients.core.listNamespacedPod({
          namespace: target.namespace,
          labelSelector: controlPlaneSelector(target.name),
        }),
      ),
      this.clients.idempotent(`events in ${target.namespace}`, () =>
        this.clients.core.listNamespacedEvent({ namespace: target.namespace }),
      ),
      this.readKubeconfigSecret(target),
    ]);
    const ownNames = (n: string | undefined) =>
      !!n && (n === target.name || n.startsWith(`${target.name}-`) || n.startsWith(`data-${target.name}-`));
    let apiServerEndpoint: string | null = null;
    if (secret) {
      try {
        apiServerEndpoint = inspectKubeconfig(secret).server;
      } catch {
        apiServerEndpoint = null;
      }
    }
    return deriveHostStatus({
      controlPlane,
      pods: pods.items,
      events: events.items.filter((e) => ownNames(e.involvedObject.name)),
      apiServerEndpoint,
    });
  }

  async kubeconfig(target: VClusterTarget): Promise<KubeconfigResult> {
    const config = await this.requireKubeconfig(target);
    const { server } = inspectKubeconfig(config);
    const unreachable = await this.checkVirtualApi(target);
    const local = /^https:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+\/?$/.test(server);
    const warnings = [
      ...(unreachable ? [`The portal could not reach the vcluster's API through the host: ${unreachable}`] : []),
      ...(local
        ? [
            `This kubeconfig points at ${server}, vcluster's default, which works only through a port-forward (\`vcluster connect ${target.name} -n ${target.namespace}\`, or \`kubectl port-forward -n ${target.namespace} svc/${target.name} 8443:443\`).`,
          ]
        : []),
    ];
    return {
      kubeconfig: config,
      server,
      reachable: unreachable === null,
      warning: warnings.length ? warnings.join(" ") : null,
    };
  }

  checkVirtualApi(target: VClusterTarget): Promise<string | null> {
    return this.withVirtualApi(target, (forwarded) => this.checkReachable(forwarded)).catch((err: unknown) =>
      err instanceof AppError ? err.message : "the virtual API could not be reached",
    );
  }

  async openVirtualApi(target: VClusterTarget): Promise<VirtualApiChannel> {
    return openVirtualApi(this.clients, target, await this.requireKubeconfig(target));
  }

  async withVirtualApi<T>(target: VClusterTarget, fn: (kubeconfig: string) => Promise<T>): Promise<T> {
    return withVirtualApi(this.clients, target, await this.requireKubeconfig(target), fn);
  }

  /** null when `/version` answers with the kubeconfig's CA and credentials, else why not */
  private async checkReachable(config: string): Promise<string | null> {
    try {
      const clients = createHostClients(config, { requestTimeoutMs: this.clients.requestTimeoutMs });
      await clients.call("version", () => clients.version.getCode());
      return null;
    } catch (err) {
      return err instanceof AppError ? err.message : "the kubeconfig could not be used";
    }
  }

  private async requireKubeconfig(target: VClusterTarget): Promise<string> {
    const config = await this.readKubeconfigSecret(target);
    if (config === null) {
      throw new AppError(
        "NOT_FOUND",
        `Secret ${kubeconfigSecretName(target.name)} with the kubeconfig of vcluster ${target.name} not found in namespace ${target.namespace} on host ${this.clients.hostName}; the control plane writes it once it is ready`,
      );
    }
    return config;
  }

  private async readKubeconfigSecret(target: VClusterTarget): Promise<string | null> {
    const name = kubeconfigSecretName(target.name);
    try {
      const secret = await this.clients.idempotent(`Secret ${target.namespace}/${name}`, () =>
        this.clients.core.readNamespacedSecret({ namespace: target.namespace, name }),
      );
      const data = secret.data?.config;
      return data ? Buffer.from(data, "base64").toString("utf8") : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async requireControlPlane(target: VClusterTarget): Promise<ControlPlane> {
    const plane = await findControlPlane(this.clients, target);
    if (!plane)
      throw new AppError(
        "NOT_FOUND",
        `vcluster ${target.name} (a StatefulSet or Deployment labelled app=vcluster,release=${target.name} in ${target.namespace}) not found on host ${this.clients.hostName}`,
      );
    return plane;
  }

  private async annotatePausedReplicas(target: VClusterTarget, replicas: number): Promise<void> {
    const plane = await this.requireControlPlane(target);
    await patchWorkload(this.clients, target.namespace, plane.kind, plane.object.metadata?.name ?? target.name, {
      metadata: { annotations: { [PAUSED_REPLICAS_ANNOTATION]: String(replicas) } },
    });
  }

  /** Refuses to touch a namespace that belongs to something else; returns it when it exists. */
  private async assertNamespaceIsOurs(target: VClusterTarget) {
    try {
      const ns = await this.clients.idempotent(`namespace ${target.namespace}`, () =>
        this.clients.core.readNamespace({ name: target.namespace }),
      );
      const owner = ns.metadata?.labels?.[VCLUSTER_ID_LABEL];
      if (owner !== target.vclusterId) {
        throw new AppError(
          "CONFLICT",
          `namespace ${target.namespace} on host ${this.clients.hostName} exists and ${owner ? `belongs to vcluster ${owner}` : "is not managed by the portal"}; choose another namespace`,
        );
      }
      return ns;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
}

async function probeHost(clients: HostClients): Promise<HostInfo> {
  const version = await clients.call("version", () => clients.version.getCode());
  const nodes = await clients.call("nodes", () => clients.core.listNode());
  let cpu = 0;
  let memory = 0n;
  for (const node of nodes.items) {
    const allocatable = node.status?.allocatable ?? {};
    if (allocatable.cpu) cpu += parseCpuMillis(allocatable.cpu);
    if (allocatable.memory) memory += parseMemoryBytes(allocatable.memory);
  }
  return {
    kubernetesVersion: version.gitVersion,
    nodes: nodes.items.length,
    allocatableCpuMillis: cpu,
    allocatableMemoryBytes: memory,
  };
}

/** Reachability and capacity of a host from its kubeconfig alone, as registration checks it. */
export function probeHostCluster(kubeconfig: string, options: { requestTimeoutMs?: number } = {}): Promise<HostInfo> {
  return probeHost(createHostClients(kubeconfig, options));
}

export function createVClusterAdapter(options: VClusterAdapterOptions): VClusterAdapter {
  const clients = createHostClients(options.kubeconfig, {
    requestTimeoutMs: options.requestTimeoutMs,
    hostName: options.hostName,
  });
  const release = createHelmRelease(clients, options.kubeconfig, {
    ...options.helm,
    chart: options.chart,
    podSecurity: options.podSecurity,
  });
  return new KubernetesVClusterAdapter(clients, release, {
    uninstallTimeoutMs: options.uninstallTimeoutMs ?? 120_000,
    directAccess: options.directAccess ?? null,
  });
}
