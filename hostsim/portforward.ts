import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Duplex } from "node:stream";
import type { Cluster } from "./cluster";
import { ApiError, errors } from "./errors";
import { refuseUpgrade } from "./filters";
import { SpdySession, type SpdyStream } from "./spdy";
import { isObj, str, type KObject } from "./types";
import { acceptWebSocket, type WebSocketConn } from "./websocket";

/**
 * Subprotocols of the kubelet's WebSocket port-forward (kubernetes pkg/kubelet/cri/streaming/portforward/websocket.go:
 * "" and v4.channel.k8s.io, binary framing), plus the name of the port-forward protocol itself.
 */
export const portForwardProtocols = ["v4.channel.k8s.io", "portforward.k8s.io", ""];

/**
 * What kubectl 1.31+ offers first: SPDY carried in WebSocket binary messages, which the apiserver accepts from 1.31
 * (PortForwardWebsockets beta; k8s.io/apiserver/pkg/util/proxy/streamtunnel.go); an older one refuses the upgrade
 * and kubectl falls back to plain SPDY.
 */
const spdyTunnelProtocol = "SPDY/3.1+portforward.k8s.io";

/** What a pod's network namespace answers on a port: a connected stream, or why nothing listens there. */
export type Dial = (pod: KObject, port: number) => Duplex | { refused: true };

/** The containerd sandbox ID the kubelet names in port-forward errors; stable per pod. */
const sandboxId = (pod: KObject) =>
  createHash("sha256")
    .update(pod.metadata.uid ?? "")
    .digest("hex");

/** The kubelet's error when a port cannot be reached (pkg/kubelet/cri/streaming/portforward/httpstream.go and websocket.go). */
function forwardError(pod: KObject, port: number, running: boolean): string {
  const id = sandboxId(pod);
  const detail = running
    ? `failed to execute portforward in network namespace "/var/run/netns/cni-${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}": ` +
      `failed to connect to localhost:${port} inside namespace "${id}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
    : `failed to find sandbox "${id}" in store: not found`;
  return `error forwarding port ${port} to pod ${id}, uid : ${detail}`;
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

function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The pods/portforward subresource in the three ways clients speak it:
 * - WebSocket with the channel protocol (client-node): per `ports` query value i, channel 2i carries data and 2i+1
 *   errors, each opened with the port as two little-endian bytes, every message prefixed with its channel byte;
 * - SPDY/3.1 over a plain HTTP upgrade (POST, kubectl before 1.31 or as its fallback), and
 * - SPDY tunnelled through WebSocket messages (kubectl 1.31+), where each forwarded connection is a pair of
 *   streams, `error` and `data`, naming the port in their headers.
 * A port nobody listens on gets the kubelet's error, on the error channel or stream.
 */
export function servePortForward(
  cluster: Cluster,
  req: IncomingMessage,
  socket: Duplex,
  ns: string,
  name: string,
  query: URLSearchParams,
  dial: Dial,
  minor: number,
): void {
  let pod: KObject;
  const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
  const tunnel = upgrade === "websocket" && minor >= 31 && offeredProtocols(req).includes(spdyTunnelProtocol);
  const channels = upgrade === "websocket" && !tunnel;
  let ports: number[] = [];
  try {
    pod = cluster.get(cluster.rt("", "pods"), ns, name);
    if (!str(isObj(pod.spec) ? pod.spec.nodeName : ""))
      throw errors.badRequest(`pod ${name} does not have a host assigned`);
    if (channels) ports = parsePorts(query);
  } catch (e) {
    return refuseUpgrade(socket, { refused: e instanceof ApiError ? e : errors.internal(String(e)) });
  }
  const running = isObj(pod.status) && pod.status.phase === "Running";
  if (tunnel) {
    const ws = acceptWebSocket(req, socket, [spdyTunnelProtocol]);
    return ws && serveSpdy(pod, running, messageStream(ws), dial);
  }
  if (channels) {
    const ws = acceptWebSocket(req, socket, portForwardProtocols);
    return ws && serveChannels(pod, running, ws, ports, dial);
  }
  if (upgrade !== "spdy/3.1" || !/upgrade/i.test(String(req.headers.connection ?? ""))) {
    // k8s.io/apimachinery/pkg/util/httpstream/spdy/upgrade.go
    return refuseUpgrade(socket, {
      refused: errors.badRequest("unable to upgrade: missing upgrade headers in request"),
    });
  }
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n",
  );
  serveSpdy(pod, running, socket, dial);
}

function serveChannels(pod: KObject, running: boolean, ws: WebSocketConn, ports: number[], dial: Dial): void {
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
      ws.send(Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(forwardError(pod, port, running))]));
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

/** The WebSocket as one byte stream, as client-go's TunnelingConnection reads and writes it. */
function messageStream(ws: WebSocketConn): Duplex {
  const d = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      ws.send(chunk);
      done();
    },
    final(done) {
      ws.close();
      done();
    },
    destroy(err, done) {
      ws.close();
      done(err);
    },
  });
  ws.onMessage = (m) => d.push(m);
  ws.onClose = () => d.destroy();
  return d;
}

/**
 * The kubelet's SPDY port-forward (pkg/kubelet/cri/streaming/portforward/httpstream.go): streams need a port
 * and a streamType of error or data, else they are reset; the error and data stream of one requestID (or, from
 * clients without it, of consecutive stream IDs) make one forwarded connection.
 */
function serveSpdy(pod: KObject, running: boolean, conn: Duplex, dial: Dial): void {
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream; early: Buffer[] }>();
  const upstreams = new Set<Duplex>();
  const session = new SpdySession(conn, (s) => {
    const port = s.headers.port ?? "";
    const type = s.headers.streamtype ?? "";
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535 || (type !== "error" && type !== "data"))
      return undefined;
    const id = s.headers.requestid || String(type === "error" ? s.id : s.id - 2);
    return () => {
      const pair = pairs.get(id) ?? { early: [] };
      pairs.set(id, pair);
      pair[type] = s;
      if (type === "data") s.onData = (d) => pair.early.push(d);
      if (!pair.data || !pair.error) return;
      pairs.delete(id);
      forward(pair.data, pair.error, Number(port), pair.early);
    };
  });
  const forward = (data: SpdyStream, error: SpdyStream, port: number, early: Buffer[]) => {
    const upstream = running ? dial(pod, port) : undefined;
    if (!upstream || "refused" in upstream) {
      error.write(Buffer.from(forwardError(pod, port, running)));
      error.end();
      data.end();
      return;
    }
    upstreams.add(upstream);
    const finish = () => {
      data.end();
      error.end();
    };
    upstream.on("data", (d: Buffer) => data.write(d));
    upstream.on("end", finish);
    upstream.on("close", () => {
      upstreams.delete(upstream);
      finish();
    });
    upstream.on("error", () => upstream.destroy());
    for (const d of early) upstream.write(d);
    data.onData = (d) => upstream.write(d);
    data.onEnd = (reset) => (reset ? upstream.destroy() : upstream.end());
  };
  session.onClose = () => {
    for (const u of upstreams) u.destroy();
  };
}
