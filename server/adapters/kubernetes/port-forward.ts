/**
 * A local port that reaches a pod's port through the host's API (`pods/portforward` over WebSocket), as
 * `kubectl port-forward` and `vcluster connect` do: nothing on the host has to be exposed. It listens on
 * 127.0.0.1 only, on a random port, and lives only as long as the caller needs it.
 */
import net from "node:net";
import { PassThrough } from "node:stream";
import { PortForward } from "@kubernetes/client-node";
import { AppError } from "@/server/errors";
import type { HostClients } from "./host-client";

export interface LocalForward {
  /** the local port on 127.0.0.1 */
  port: number;
  close(): Promise<void>;
}

export async function forwardPodPort(clients: HostClients, namespace: string, pod: string, remotePort: number): Promise<LocalForward> {
  const forwarder = new PortForward(clients.kubeConfig, true);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const errors = new PassThrough();
    // the pod side's refusal arrives on the error channel; the caller sees it as a reset connection
    errors.on("data", (chunk: Buffer) => socket.destroy(new Error(`port-forward to ${namespace}/${pod}:${remotePort}: ${chunk.toString("utf8").trim()}`)));
    forwarder.portForward(namespace, pod, [remotePort], socket, errors, socket).then(
      (ws) => {
        const webSocket = typeof ws === "function" ? ws() : ws;
        socket.on("close", () => webSocket?.close());
      },
      (error: unknown) => socket.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new AppError("INTERNAL", `could not listen for a port-forward on 127.0.0.1: ${error.message}`)));
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new AppError("INTERNAL", "port-forward listener has no port");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
