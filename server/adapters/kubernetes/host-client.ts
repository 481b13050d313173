/**
 * Clients for one host cluster, built from its kubeconfig. Every request carries a deadline so that a host which
 * stops answering fails fast instead of holding an operation (watches are separate and long-lived by design).
 */
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  ServerConfiguration,
  setHeaderOptions,
  VersionApi,
  type Configuration,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import https from "node:https";
import { assertSafeKubeconfig } from "./kubeconfig-safety";
import { AppError } from "@/server/universal/errors";
import { translateKubernetesError } from "./errors";
import { DEFAULT_RETRY_POLICY, retryTransient, type RetryPolicy } from "./retry";

export const FIELD_MANAGER = "open-vcluster";
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Per-call options for a JSON merge patch; client-node defaults to JSON Patch, which a real server rejects here. */
export const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export interface HostClientOptions {
  requestTimeoutMs?: number;
  /** how the host is named in error messages; defaults to the server's host:port */
  hostName?: string;
  /** how idempotent calls are retried after a transient failure */
  retry?: RetryPolicy;
}

export interface HostClients {
  kubeConfig: KubeConfig;
  server: string;
  hostName: string;
  requestTimeoutMs: number;
  core: CoreV1Api;
  apps: AppsV1Api;
  rbac: RbacAuthorizationV1Api;
  coordination: CoordinationV1Api;
  version: VersionApi;
  objects: KubernetesObjectApi;
  /** runs one call against the host, translating its failure into an AppError naming `what` */
  call<T>(what: string, fn: () => Promise<T>): Promise<T>;
  /**
   * `call` for a request that may be sent again without effect beyond the first (get, list, apply, a patch to
   * absolute values, delete): a transient failure is retried with backoff, honouring Retry-After (retry.ts)
   */
  idempotent<T>(what: string, fn: () => Promise<T>): Promise<T>;
  /** server-side apply as field manager `open-vcluster`, forcing ownership of the fields it sets; retried as idempotent */
  apply<T extends KubernetesObject>(object: T): Promise<T>;
}

export function loadKubeConfig(kubeconfig: string): KubeConfig {
  assertSafeKubeconfig(kubeconfig);
  const kc = new KubeConfig();
  try {
    kc.loadFromString(kubeconfig);
  } catch {
    throw new AppError("INVALID", "the host kubeconfig is not valid YAML or lacks clusters, users or contexts");
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new AppError("INVALID", "the host kubeconfig has no current context with a cluster");
  return kc;
}

function describeObject(object: KubernetesObject): string {
  const ns = object.metadata?.namespace;
  return `${object.kind ?? "object"} ${ns ? `${ns}/` : ""}${object.metadata?.name ?? ""}`;
}

export function createHostClients(kubeconfig: string, options: HostClientOptions = {}): HostClients {
  const kubeConfig = loadKubeConfig(kubeconfig);
  const server = kubeConfig.getCurrentCluster()?.server ?? "";
  let hostName = options.hostName ?? server;
  if (!options.hostName) {
    try {
      hostName = new URL(server).host;
    } catch {
      hostName = server;
    }
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // client-node builds a fresh agent, and so a fresh TLS handshake, for every request; one keep-alive agent per host,
  // with the TLS options of the first, turns that into reused connections. Kubeconfigs here carry static
  // certificates and tokens (headers are still applied per request), so the first agent's options stay valid.
  let agent: https.Agent | null = null;
  const deadline = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(requestTimeoutMs));
      const fresh = ctx.getAgent();
      if (fresh instanceof https.Agent) {
        agent ??= new https.Agent({ ...fresh.options, keepAlive: true, maxSockets: 64 });
        ctx.setAgent(agent);
      }
      return Promise.resolve(ctx);
    },
    post: (res: ResponseContext) => Promise.resolve(res),
  };
  const configuration: Configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [deadline],
  });
  const objects = new KubernetesObjectApi(configuration);
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw translateKubernetesError(err, { host: hostName, what, timeoutMs: requestTimeoutMs });
    }
  };
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const idempotent = <T>(what: string, fn: () => Promise<T>): Promise<T> => retryTransient(() => call(what, fn), retry);
  return {
    kubeConfig,
    server,
    hostName,
    requestTimeoutMs,
    core: new CoreV1Api(configuration),
    apps: new AppsV1Api(configuration),
    rbac: new RbacAuthorizationV1Api(configuration),
    coordination: new CoordinationV1Api(configuration),
    version: new VersionApi(configuration),
    objects,
    call,
    idempotent,
    async apply<T extends KubernetesObject>(object: T): Promise<T> {
      try {
        return await idempotent(`apply of ${describeObject(object)}`, () =>
          objects.patch<T>(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
        );
      } catch (err) {
        // apply creates what is missing, so a 404 means the host does not serve this kind (or its namespace is gone)
        if (err instanceof AppError && err.code === "NOT_FOUND") {
          throw new AppError(
            "NOT_AVAILABLE",
            `host ${hostName} does not serve ${object.apiVersion} ${object.kind}, or the namespace of ${describeObject(object)} does not exist`,
            { cause: err },
          );
        }
        throw err;
      }
    },
  };
}
