/**
 * The portal's own way into a virtual cluster's API, as `vcluster connect` does it (loft-sh/vcluster
 * pkg/cli/connect_helm.go): a port-forward through the host's API to port 8443 of a ready control-plane pod, with the
 * credentials of Secret vc-NAME. It never depends on the server written in that Secret (https://localhost:8443
 * unless exportKubeConfig.server is set), so it works on any host without exposing anything.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { AppError } from "@/server/universal/errors";
import { loadKubeConfig, type HostClients } from "@/server/adapters/kubernetes/host-client";
import { forwardPodPort } from "@/server/adapters/kubernetes/port-forward";
import { controlPlaneSelector } from "./labels";
import type { VClusterTarget } from "./types";

/** controlPlane.proxy.port, the syncer's API port inside the pod */
export const VIRTUAL_API_PORT = 8443;

function isReady(pod: V1Pod): boolean {
  return (
    !pod.metadata?.deletionTimestamp &&
    (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

/** The kubeconfig with its cluster pointed at the local end of the forward, keeping TLS checks on the original name. */
export function pointAtForward(kubeconfig: string, localPort: number): string {
  const kc = loadKubeConfig(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new AppError("INVALID", "the vcluster's kubeconfig names no cluster");
  let serverName: string;
  try {
    serverName = new URL(cluster.server).hostname.replace(/^\[|\]$/g, "");
  } catch {
    throw new AppError("INVALID", `the vcluster's kubeconfig has an invalid server ${cluster.server}`);
  }
  const forwarded = {
    ...cluster,
    server: `https://127.0.0.1:${localPort}`,
    tlsServerName: cluster.tlsServerName ?? serverName,
  };
  kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? forwarded : c));
  return kc.exportConfig();
}

export async function withVirtualApi<T>(
  clients: HostClients,
  target: VClusterTarget,
  kubeconfig: string,
  fn: (kubeconfig: string) => Promise<T>,
): Promise<T> {
  const pods = await clients.idempotent(`control plane pods in ${target.namespace}`, () =>
    clients.core.listNamespacedPod({ namespace: target.namespace, labelSelector: controlPlaneSelector(target.name) }),
  );
  const pod = pods.items.find(isReady);
  if (!pod?.metadata?.name)
    throw new AppError(
      "UNAVAILABLE",
      `vcluster ${target.name} has no ready control plane pod in namespace ${target.namespace} on host ${clients.hostName}`,
    );
  const forward = await forwardPodPort(clients, target.namespace, pod.metadata.name, VIRTUAL_API_PORT);
  try {
    return await fn(pointAtForward(kubeconfig, forward.port));
  } finally {
    await forward.close();
  }
}

/** A lasting way into a virtual API for a proxy: a local port forwarded to the control plane and the TLS material. */
export interface VirtualApiChannel {
  /** 127.0.0.1:port reaches port 8443 of a ready control-plane pod */
  port: number;
  /** the name the serving certificate is checked against */
  serverName: string;
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  token: string | undefined;
  close(): Promise<void>;
}

const pem = (data: string | undefined) => (data ? Buffer.from(data, "base64").toString("utf8") : undefined);

/** The vc-NAME credentials as TLS options; only inline data and tokens, never files or exec plugins. */
export async function openVirtualApi(
  clients: HostClients,
  target: VClusterTarget,
  kubeconfig: string,
): Promise<VirtualApiChannel> {
  const kc = loadKubeConfig(kubeconfig);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user)
    throw new AppError("INVALID", `the kubeconfig of vcluster ${target.name} names no cluster or user`);
  const pods = await clients.idempotent(`control plane pods in ${target.namespace}`, () =>
    clients.core.listNamespacedPod({ namespace: target.namespace, labelSelector: controlPlaneSelector(target.name) }),
  );
  const pod = pods.items.find(isReady);
  if (!pod?.metadata?.name)
    throw new AppError(
      "UNAVAILABLE",
      `vcluster ${target.name} has no ready control plane pod in namespace ${target.namespace} on host ${clients.hostName}`,
    );
  const forward = await forwardPodPort(clients, target.namespace, pod.metadata.name, VIRTUAL_API_PORT);
  let serverName = "localhost";
  try {
    serverName = cluster.tlsServerName ?? new URL(cluster.server).hostname.replace(/^\[|\]$/g, "");
  } catch {
    // a malformed server in vc-NAME: the syncer's certificate always names localhost
  }
  return {
    port: forward.port,
    serverName,
    ca: pem(cluster.caData),
    cert: pem(user.certData),
    key: pem(user.keyData),
    token: user.token,
    close: () => forward.close(),
  };
}
