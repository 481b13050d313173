/**
 * A local port that reaches a pod's port through the host's API (`pods/portforward` over WebSocket), as
 * `kubectl port-forward` and `vcluster connect` do: nothing on the host has to be exposed. It listens on
 * 127.0.0.1 only, on a random port, and lives only as long as the caller needs it.
 */
import net from "node:net";
import { PassThrough } from "node:stream";
import { PortForward } from "@kubernetes/client-node";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import type { HostClients } from "./host-client";

export interface LocalForward {
  /** the local port on 127.0.0.1 */
  port: number;
  close(): Promise<void>;
}

export async function forwardPodPort(
  clients: HostClients,
  namespace: string,
  pod: string,
  remotePort: number,
): Promise<LocalForward> {
  const forwarder = new PortForward(clients.kubeConfig, true);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const errors = new PassThrough();
    // The pod side's refusal arrives on the error channel, a failed upgrade as a rejection: the local client sees a
    // reset connection (as with kubectl port-forward), and the reason goes to the log, since no one else can read it.
    const fail = (reason: string) => {
      logger().warn({ namespace, pod, port: remotePort, reason }, "port-forward connection failed");
      socket.destroy();
    };
    socket.on("error", (error) => fail(error.message));
    errors.on("data", (chunk: Buffer) => fail(chunk.toString("utf8").trim()));
    forwarder.portForward(namespace, pod, [remotePort], socket, errors, socket).then(
      (ws) => {
        const webSocket = typeof ws === "function" ? ws() : ws;
        socket.on("close", () => webSocket?.close());
        // the pod side ended (its container stopped, the pod went away): so does the local connection, or a client
        // keeping it alive would write into nothing until its timeout
        webSocket?.addEventListener("close", () => socket.destroy());
      },
      // the WebSocket library rejects with an ErrorEvent, which carries its message but is no Error
      (error: unknown) =>
        fail(
          error instanceof Error
            ? error.message
            : typeof error === "object" && error !== null && "message" in error
              ? String(error.message)
              : String(error),
        ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(new AppError("INTERNAL", `could not listen for a port-forward on 127.0.0.1: ${error.message}`)),
    );
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
