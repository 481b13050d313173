/** Reading a vcluster's exported kubeconfig without ever echoing it. */
import { AppError } from "@/server/universal/errors";
import { loadKubeConfig } from "@/server/adapters/kubernetes/host-client";

export function inspectKubeconfig(config: string): { server: string } {
  const server = loadKubeConfig(config).getCurrentCluster()?.server;
  if (!server) throw new AppError("INVALID", "the vcluster's kubeconfig names no server");
  return { server };
}
