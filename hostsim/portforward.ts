import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Cluster } from "./cluster";
import { ApiError, errors } from "./errors";
import { isObj, str, type KObject } from "./types";
import { acceptWebSocket } from "./websocket";

/**
 * Subprotocols of the kubelet's WebSocket port-forward (kubernetes pkg/kubelet/cri/streaming/portforward/websocket.go:
 * "" and v4.channel.k8s.io, binary framing), plus the name of the port-forward protocol itself.
 */
export const portForwardProtocols = ["v4.channel.k8s.io", "portforward.k8s.io", ""];

/** What a pod's network namespace answers on a port: a connected stream, or why nothing listens there. */
export type Dial = (pod: KObject, port: number) => Duplex | { refused: true };

/** The containerd sandbox ID the kubelet names in port-forward errors; stable per pod. */
const sandboxId = (pod: KObject) => createHash("sha256").update(pod.metadata.uid ?? "").digest("hex");

function refusedMessage(pod: KObject, port: number): string {
  const id = sandboxId(pod);
  return (
    `failed to execute portforward in network namespace "/var/run/netns/cni-${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}": ` +
    `failed to connect to localhost:${port} inside namespace "${id}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
  );
}

function rejectUpgrade(socket: Duplex, e: ApiError): void {
  const body = JSON.stringify(e.status());
  socket.end(`HTTP/1.1 ${e.code} ${e.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The ports of a port-forward request: repeated and comma-separated `ports` values, as the kubelet parses them. */
function parsePorts(query: URLSearchParams): number[] {
  const values = query.getAll("ports");
  if (values.length === 0) throw errors.badRequest('query parameter "port" is required');
  return values.flatMap((v) =>
    v.split(",").map((p) => {
      const port = Number(p);
      if (!/^\d+$/.test(p) || port < 1 || port > 65535) throw errors.badRequest(`unable to parse "${v}" as a port`);
      return port;
    }),
  );
}

/**
 * The pods/portforward subresource over WebSocket: per requested port i, channel 2i carries data and 2i+1 errors;
 * each channel starts with the port as two little-endian bytes, and every message starts with its channel byte.
 * A port nobody listens on gets the kubelet's error on its error channel; the socket closes when all ports are done.
 */
export function servePortForward(cluster: Cluster, req: IncomingMessage, socket: Duplex, ns: string, name: string, query: URLSearchParams, dial: Dial): void {
  let ports: number[];
  let pod: KObject;
  try {
    pod = cluster.get(cluster.rt("", "pods"), ns, name);
    if (!str(isObj(pod.spec) ? pod.spec.nodeName : "")) throw errors.badRequest(`pod ${name} does not have a host assigned`);
    ports = parsePorts(query);
  } catch (e) {
    return rejectUpgrade(socket, e instanceof ApiError ? e : errors.internal(String(e)));
  }
  const ws = acceptWebSocket(req, socket, portForwardProtocols);
  if (!ws) return;
  const running = isObj(pod.status) && pod.status.phase === "Running";
  const streams = new Map<number, Duplex>();
  let open = ports.length;
  const done = () => {
    if (--open === 0) ws.close();
  };
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    ws.send(Buffer.concat([Buffer.from([2 * i]), prefix]));
    ws.send(Buffer.concat([Buffer.from([2 * i + 1]), prefix]));
    const conn = running ? dial(pod, port) : undefined;
    if (!conn || "refused" in conn) {
      const detail = running ? refusedMessage(pod, port) : `failed to find sandbox "${sandboxId(pod)}" in store: not found`;
      ws.send(Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(`error forwarding port ${port} to pod ${sandboxId(pod)}, uid : ${detail}`)]));
      return done();
    }
    streams.set(2 * i, conn);
    conn.on("data", (d: Buffer) => ws.send(Buffer.concat([Buffer.from([2 * i]), d])));
    conn.on("close", done);
    conn.on("error", () => conn.destroy());
  });
  ws.onMessage = (m) => {
    if (m.length > 1) streams.get(m[0])?.write(m.subarray(1));
  };
  ws.onClose = () => {
    for (const s of streams.values()) s.destroy();
  };
}
