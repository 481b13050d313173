import fs from "node:fs";
import https from "node:https";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import path from "node:path";
import { Agnhost } from "./agnhost";
import { podLocation, versionInfo, type ApiContext } from "./apicontext";
import { authenticate, superAdmin } from "./authn";
import { certCoversHosts, createCa, keptPair, keptToken, serverCert } from "./certs";
import { Cluster } from "./cluster";
import { startControllers } from "./controllers";
import { combineRuntimes } from "./controllers/runtime";
import { errors } from "./errors";
import { describeRequest, FaultInjector, faultsSchema, type Faults } from "./faults";
import { type ApiAccess, admit, refuseUpgrade, writeRefusal } from "./filters";
import { handleApi } from "./handler";
import { sendError } from "./request";
import { kubeconfigYaml } from "./kubeconfig";
import { type Dial, servePortForward } from "./portforward";
import { parseQuantity } from "./quantity";
import { authorize, forbiddenResource } from "./rbac";
import { Store } from "./store";
import { VirtualClusters } from "./vcluster";
import { WatchHub } from "./watch";

export interface HostSimOptions {
  /** Directory for the CA, tokens and every cluster's objects; reuse it to restart with the same state. */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Address to listen on and to name in kubeconfigs (default 127.0.0.1). */
  host?: string;
  nodes?: number;
  nodeCpu?: string;
  nodeMemory?: string;
  /** How long a scheduled pod stays Pending before it is Running and Ready (default 1000 ms). */
  podReadyDelayMs?: number;
  /** Interval of watch BOOKMARK events when clients allow them (default 60 s). */
  watchBookmarkIntervalMs?: number;
  /** Events kept for watches resuming from a resourceVersion; older ones get 410 Gone (default 10 000). */
  watchHistory?: number;
  /** Kubernetes version the host reports (default v1.33.1). */
  kubernetesVersion?: string;
  faults?: Faults;
}

export interface HostSim {
  url: string;
  /** Admin kubeconfig (YAML) for the host cluster. */
  kubeconfig: string;
  adminToken: string;
  caPem: string;
  setFaults(faults: Faults): void;
  /** how many requests the faults have failed since the host started */
  faultsInjected(): number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** One Kubernetes API as a server: its objects, who may call it, and the scope its injected faults name. */
export interface ApiServer {
  api: ApiContext;
  access: ApiAccess;
  /** "host" or "vc/NS/NAME". */
  scope: string;
}

export interface ApiListeners {
  request: RequestListener;
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** Starts the simulated host cluster: HTTPS Kubernetes API, controllers, virtual clusters and faults. */
export async function startHostSim(opts: HostSimOptions): Promise<HostSim> {
  const host = opts.host ?? "127.0.0.1";
  const dataDir = path.resolve(opts.dataDir);
  const pkiDir = path.join(dataDir, "pki");
  fs.mkdirSync(pkiDir, { recursive: true });
  const ca = keptPair(pkiDir, "ca", createCa);
  // Listening on every interface still needs one address that clients can dial.
  const advertised = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const hosts = [...new Set([advertised, "127.0.0.1", "localhost", "::1"])];
  const tls = keptPair(
    pkiDir,
    "apiserver",
    () => serverCert(ca, hosts),
    (p) => certCoversHosts(p, hosts),
  );
  const adminToken = keptToken(pkiDir, "admin-token");
  const nodeCpu = opts.nodeCpu ?? "16";
  const nodeMemory = opts.nodeMemory ?? "64Gi";
  parseQuantity(nodeCpu);
  parseQuantity(nodeMemory);
  const version = versionInfo(opts.kubernetesVersion ?? "v1.33.1");
  const podReadyDelayMs = opts.podReadyDelayMs ?? 1000;
  const bookmarkIntervalMs = opts.watchBookmarkIntervalMs ?? 60_000;

  const faults = new FaultInjector();
  if (opts.faults) faults.set(opts.faults);
  const hub = new WatchHub((t) => faults.watchLifetimeMs(t));
  const store = Store.open(path.join(dataDir, "host"), opts.watchHistory);
  const cluster = new Cluster(store);
  const hostTokens = new Map([[adminToken, superAdmin]]);

  const pending = new Set<ServerResponse>();
  /** One API's request path, host or virtual: injected faults for its scope, the filter chain, then the API. */
  const serve =
    ({ api: target, access, scope }: ApiServer) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      void (async () => {
        const u = new URL(req.url ?? "/", "https://hostsim");
        if (faults.unresponsive === "close") return req.socket.destroy();
        const hold = () => {
          pending.add(res);
          res.on("close", () => pending.delete(res));
        };
        if (faults.unresponsive === "hang") return hold();
        const delay = faults.delayMs();
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        const failure = faults.failure(describeRequest(req.method ?? "GET", u.pathname, u.searchParams, scope));
        if (failure === "timeout") return hold();
        if (failure !== undefined) {
          const reason =
            failure === 429
              ? "TooManyRequests"
              : failure === 503
                ? "ServiceUnavailable"
                : failure === 504
                  ? "Timeout"
                  : "InternalError";
          res.setHeader("Retry-After", "1");
          return sendJson(res, failure, {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            message: `injected fault: ${reason}`,
            reason,
            code: failure,
          });
        }
        const admitted = admit(access, req, u);
        if (!("user" in admitted)) return writeRefusal(res, admitted);
        const body = await readBody(req);
        handleApi(
          target,
          {
            method: req.method ?? "GET",
            path: u.pathname,
            query: u.searchParams,
            headers: admitted.headers,
            body,
            user: admitted.user,
          },
          res,
        );
      })().catch((e: unknown) => {
        if (!res.headersSent) sendError(res, e);
      });
    };

  /**
   * Upgraded requests, after the same filters: only pods/portforward upgrades here (exec and attach are not
   * simulated and get the 404 of an unknown path). A virtual pod's goes to its host pod, as vcluster's proxy
   * redirects it (pkg/server/filters/redirect.go), so the host's apiserver, protocols and listeners answer it.
   */
  const upgrade =
    ({ api: target, access }: ApiServer) =>
    (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      // a client that resets the connection must not take the process down
      socket.on("error", () => socket.destroy());
      if (head.length) socket.unshift(head);
      if (faults.unresponsive === "close") {
        socket.destroy();
        return;
      }
      const u = new URL(req.url ?? "/", "https://hostsim");
      const admitted = admit(access, req, u);
      if (!("user" in admitted)) return refuseUpgrade(socket, admitted);
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(u.pathname);
      if (!m) return refuseUpgrade(socket, { refused: errors.pathNotFound() });
      if (req.method !== "GET" && req.method !== "POST")
        return refuseUpgrade(socket, {
          refused: errors.methodNotAllowed("the server does not allow this method on the requested resource"),
        });
      const a = admitted.attributes;
      // kube-apiserver 1.35+ (AuthorizePodWebsocketUpgradeCreatePermission; pkg/registry/core/pod/rest/subresources.go
      // ensureAuthorizedForVerb) also asks for create; a virtual pod's request never reaches that registry
      if (!target.hostPod && access.minor >= 35 && a.verb === "get") {
        const d = access.authorize({ ...a, verb: "create" });
        if (!d.allowed)
          return refuseUpgrade(socket, { refused: forbiddenResource(a.apiGroup, a.resource, a.name, d.reason) });
      }
      const at = podLocation(target, decodeURIComponent(m[1]), decodeURIComponent(m[2]));
      servePortForward(at.cluster, req, socket, at.ns, at.name, u.searchParams, dial, Number(version.minor));
    };
  const listeners = (s: ApiServer): ApiListeners => ({ request: serve(s), upgrade: upgrade(s) });

  const agnhost = new Agnhost(cluster);
  const vclusters = new VirtualClusters(cluster, {
    dataDir,
    watchLifetime: (t) => faults.watchLifetimeMs(t),
    podReadyDelayMs,
    bookmarkIntervalMs,
    historySize: opts.watchHistory,
    listeners,
  });
  const dial: Dial = (pod, port) => {
    const conn = vclusters.dial(pod, port);
    return "refused" in conn ? agnhost.dial(pod, port) : conn;
  };
  const stopControllers = startControllers(
    {
      cluster,
      podReadyDelayMs,
      gitVersion: version.gitVersion,
      caPem: ca.certPem,
      runtime: combineRuntimes(vclusters.runtime, agnhost.runtime),
    },
    { nodes: { count: opts.nodes ?? 3, cpu: nodeCpu, memory: nodeMemory } },
  );
  const api: ApiContext = { cluster, version, hub, bookmarkIntervalMs };
  const hostApi = listeners({
    api,
    scope: "host",
    access: { tokens: hostTokens, minor: Number(version.minor), authorize: (a) => authorize(cluster, a) },
  });

  const sockets = new Set<Socket>();
  const server = https.createServer({
    key: tls.keyPem,
    cert: tls.certPem,
    ca: ca.certPem,
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${advertised.includes(":") ? `[${advertised}]` : advertised}:${port}`;

  const setFaults = (f: Faults) => {
    faults.set(f);
    hub.refresh();
    vclusters.refreshWatches();
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    if (!authenticate(req, hostTokens)) return sendError(res, errors.unauthorized());
    if (pathname !== "/_hostsim/faults") return sendError(res, errors.pathNotFound());
    if (req.method === "GET") return sendJson(res, 200, faults.get());
    if (req.method !== "POST" && req.method !== "PUT")
      return sendError(res, errors.methodNotAllowed("use GET or POST"));
    const parsed = faultsSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8") || "{}"));
    if (!parsed.success) return sendError(res, errors.badRequest(parsed.error.message));
    setFaults(parsed.data);
    sendJson(res, 200, faults.get());
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? "/", "https://hostsim").pathname;
    if (pathname.startsWith("/_hostsim/")) {
      admin(req, res, pathname).catch((e: unknown) => {
        if (!res.headersSent) sendError(res, e);
      });
      return;
    }
    hostApi.request(req, res);
  });
  server.on("upgrade", hostApi.upgrade);

  let closing: Promise<void> | undefined;
  return {
    url,
    kubeconfig: kubeconfigYaml({ name: "hostsim", server: url, caPem: ca.certPem, token: adminToken }),
    adminToken,
    caPem: ca.certPem,
    setFaults,
    faultsInjected: () => faults.injected,
    close() {
      closing ??= (async () => {
        vclusters.close();
        stopControllers();
        hub.endAll();
        for (const r of pending) r.destroy();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        store.close();
      })();
      return closing;
    },
  };
}
