/**
 * The simulated host cluster of the embedded mode, in a child process of its own (./supervise.ts): a crash there
 * is logged and the host started again from its data directory, on the same port with the same CA and admin token
 * (both kept in `dataDir/pki`), so the kubeconfig registered for it stays valid and the rest keeps running.
 *
 * Unlike the S3 store's, its port is not held by the launcher: clients reach it over TLS and check its certificate
 * against the CA in their kubeconfig before sending a token, so whoever took the port during a restart would learn
 * nothing; the restart then waits for the port.
 */
import { fileURLToPath } from "node:url";
import type { HostSimOptions } from "@open-vcluster/hostsim";
import { supervise } from "./supervise";

export interface SupervisedHostSim {
  url: string;
  kubeconfig: string;
  pid(): number | undefined;
  restarts(): number;
  stop(): Promise<void>;
}

interface Ready {
  url: string;
  kubeconfig: string;
}

function readyOf(message: unknown): Ready | null {
  if (typeof message !== "object" || message === null || !("type" in message) || message.type !== "ready") return null;
  const { url, kubeconfig } = message as { url?: unknown; kubeconfig?: unknown };
  return typeof url === "string" && typeof kubeconfig === "string" ? { url, kubeconfig } : null;
}

export async function startSupervisedHostSim(
  options: Pick<HostSimOptions, "dataDir" | "port" | "host">,
  log?: (line: string) => void,
): Promise<SupervisedHostSim> {
  // port 0 picks a free port once; every restart then asks for that same one
  let port = options.port ?? 0;
  const child = await supervise({
    name: "simulated host cluster",
    entry: fileURLToPath(new URL("./hostsim-child.ts", import.meta.url)),
    config: (): HostSimOptions => ({ ...options, port }),
    ready: readyOf,
    log,
  });
  port = Number(new URL(child.ready.url).port);
  return {
    url: child.ready.url,
    kubeconfig: child.ready.kubeconfig,
    pid: () => child.pid(),
    restarts: () => child.restarts(),
    stop: () => child.stop(),
  };
}
