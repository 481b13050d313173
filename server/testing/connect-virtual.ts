/**
 * Test support: what `vcluster connect` gives a host admin — Secret vc-NAME's kubeconfig (unless another is given)
 * used through a port-forward to a ready control-plane pod over the host's API — to look inside a virtual cluster
 * without the portal.
 * The forward is bound to the pod it found: reconnect after the control plane restarts (suspend, resume, rollout).
 */
import { setTimeout as delay } from "node:timers/promises";
import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { createHostClients } from "@/server/adapters/kubernetes/host-client";
import { forwardPodPort } from "@/server/adapters/kubernetes/port-forward";
import { controlPlaneSelector, kubeconfigSecretName } from "@/server/adapters/vcluster/labels";
import { pointAtForward, VIRTUAL_API_PORT } from "@/server/adapters/vcluster/virtual-api";

export interface VirtualConnection {
  kc: KubeConfig;
  close(): Promise<void>;
}

const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp &&
  (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

export async function connectVirtual(
  hostKubeconfig: string,
  vcluster: { name: string; namespace: string },
  given?: string,
): Promise<VirtualConnection> {
  const clients = createHostClients(hostKubeconfig);
  const core = clients.kubeConfig.makeApiClient(CoreV1Api);
  const kubeconfig =
    given ??
    Buffer.from(
      (await core.readNamespacedSecret({ namespace: vcluster.namespace, name: kubeconfigSecretName(vcluster.name) }))
        .data?.config ?? "",
      "base64",
    ).toString("utf8");
  let pod: V1Pod | undefined;
  for (let i = 0; i < 400 && !pod; i++) {
    pod = (
      await core.listNamespacedPod({
        namespace: vcluster.namespace,
        labelSelector: controlPlaneSelector(vcluster.name),
      })
    ).items.find(isReady);
    if (!pod) await delay(25);
  }
  if (!pod?.metadata?.name) throw new Error(`no ready control plane pod of ${vcluster.name} in ${vcluster.namespace}`);
  const forward = await forwardPodPort(clients, vcluster.namespace, pod.metadata.name, VIRTUAL_API_PORT);
  const kc = new KubeConfig();
  kc.loadFromString(pointAtForward(kubeconfig, forward.port));
  return { kc, close: () => forward.close() };
}
