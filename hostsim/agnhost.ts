import http from "node:http";
import type { Cluster } from "./cluster";
import type { ContainerRuntime } from "./controllers/runtime";
import { duplexPair } from "./duplexpair";
import type { Dial } from "./portforward";
import { arr, isObj, objs, str, type KObject, type Obj } from "./types";

/** The Kubernetes e2e image (test/images/agnhost), from the registry the e2e tests pull it from, any tag or digest. */
const agnhostImage =
  /^(registry\.k8s\.io|k8s\.gcr\.io)\/e2e-test-images\/agnhost(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$/;

interface Netexec {
  httpPort: number;
  udpPort: number;
}

/**
 * The netexec invocation of a container, if it is one: the image's ENTRYPOINT is /agnhost, so `args` start with
 * the subcommand unless `command` replaces the entrypoint. Ports as netexec's flags default them (--http-port
 * 8080, --udp-port 8081, -1 disables UDP), written `--flag=N` or `--flag N` as pflag reads them.
 */
function netexecOf(c: Obj): Netexec | undefined {
  if (!agnhostImage.test(str(c.image))) return undefined;
  const command = arr(c.command).map((x) => str(x));
  const args = arr(c.args).map((x) => str(x));
  if (command.length && !/(^|\/)agnhost$/.test(command[0])) return undefined;
  const argv = command.length ? [...command.slice(1), ...args] : args;
  if (argv[0] !== "netexec") return undefined;
  const flag = (name: string, fallback: number) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return fallback;
    const v = Number(argv[i].includes("=") ? argv[i].slice(argv[i].indexOf("=") + 1) : argv[i + 1]);
    return Number.isInteger(v) ? v : fallback;
  };
  return { httpPort: flag("http-port", 8080), udpPort: flag("udp-port", 8081) };
}

/** The kubelet's hostname for a pod without spec.hostname (pkg/kubelet: truncatePodHostnameIfNeeded). */
const hostnameOf = (name: string) => (name.length > 63 ? name.slice(0, 63).replace(/[-.]+$/, "") : name);

/** Go's log.Printf prefix (log.LstdFlags), in the container's UTC. */
function goLog(message: string): string {
  const d = new Date().toISOString();
  return `${d.slice(0, 10).replace(/-/g, "/")} ${d.slice(11, 19)} ${message}`;
}

/** Go's time.Time String(): nanosecond fraction without trailing zeros, zone, and the monotonic clock reading. */
function goNow(): string {
  const now = new Date();
  const iso = now.toISOString();
  const fraction =
    `${String(now.getUTCMilliseconds()).padStart(3, "0")}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`.replace(
      /0+$/,
      "",
    );
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""} +0000 UTC m=+${(performance.now() / 1000).toFixed(9)}`;
}

/**
 * agnhost's `netexec` (kubernetes test/images/agnhost/netexec/netexec.go): an HTTP server on --http-port that
 * answers `/` with the request time ("NOW: …"), `/hostname` (and the older `/hostName`) with the pod's hostname
 * (spec.hostname, else its name), `/echo?msg=…&code=…`, `/clientip` and `/healthz`, logging each request as it
 * does; it prints `Started HTTP server on port P` (and `Started UDP server on port  U` unless --udp-port=-1) at
 * start. The other endpoints (/dial, /shell, /upload, /redirect, /exit, /shutdown) answer 501 here.
 */
export class Agnhost {
  constructor(private readonly cluster: Cluster) {}

  readonly runtime: ContainerRuntime = {
    start: (_pod, container) => {
      const n = netexecOf(container);
      if (!n) return undefined;
      return {
        state: "running",
        ready: true,
        log: [
          goLog(`Started HTTP server on port ${n.httpPort}`),
          ...(n.udpPort !== -1 ? [goLog(`Started UDP server on port  ${n.udpPort}`)] : []),
        ],
      };
    },
    probe: () => undefined,
  };

  /** A connection to a running netexec container listening on the port; anything else is refused. */
  readonly dial: Dial = (pod, port) => {
    const spec = isObj(pod.spec) ? pod.spec : {};
    const statuses = objs(isObj(pod.status) ? pod.status.containerStatuses : []);
    const container = objs(spec.containers).find(
      (c) =>
        netexecOf(c)?.httpPort === port &&
        statuses.some((s) => s.name === c.name && isObj(s.state) && isObj(s.state.running)),
    );
    const n = container && netexecOf(container);
    if (!container || !n) return { refused: true };
    const [client, server] = duplexPair();
    http.createServer((req, res) => this.serve(pod, str(container.name), n, req, res)).emit("connection", server);
    return client;
  };

  private serve(
    pod: KObject,
    container: string,
    n: Netexec,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): void {
    const u = new URL(req.url ?? "/", "http://netexec");
    const log = (line: string) => this.cluster.logs.append(pod, container, [goLog(line)]);
    const reply = (code: number, body: string) => {
      res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    };
    const spec = isObj(pod.spec) ? pod.spec : {};
    switch (u.pathname) {
      case "/hostname":
      case "/hostName":
        log(`GET ${u.pathname}`);
        return reply(200, str(spec.hostname) || hostnameOf(pod.metadata.name ?? ""));
      case "/echo": {
        const msg = u.searchParams.get("msg") ?? "";
        const code = u.searchParams.get("code") ?? "";
        log(`GET /echo?msg=${msg}&code=${code}`);
        if (!code) return reply(200, msg);
        if (!/^[+-]?\d+$/.test(code))
          return reply(200, `argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n`);
        // Go's WriteHeader panics on a code outside 100-999, which drops the connection
        if (Number(code) < 100 || Number(code) > 999) return void res.socket?.destroy();
        return reply(Number(code), msg);
      }
      case "/clientip":
        log("GET /clientip");
        return reply(200, `127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}`);
      case "/healthz":
        log("GET /healthz");
        return reply(n.udpPort !== -1 ? 200 : 412, "");
      case "/dial":
      case "/shell":
      case "/upload":
      case "/redirect":
      case "/exit":
      case "/shutdown":
        return reply(501, `hostsim does not simulate netexec's ${u.pathname}\n`);
      default:
        log("GET /");
        return reply(200, `NOW: ${goNow()}`);
    }
  }
}
