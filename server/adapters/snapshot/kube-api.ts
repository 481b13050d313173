/**
 * Raw JSON access to a virtual cluster's API. Snapshots need the objects exactly as the server serves them (typed
 * client-node models would reshape dates and drop unknown fields) and need any resource type found by discovery,
 * so this speaks HTTP directly with the kubeconfig's credentials. Failures are translated by the Kubernetes
 * adapter's one translation (server/adapters/kubernetes/errors.ts).
 */
import http from "node:http";
import https from "node:https";
import { translateKubernetesError } from "@/server/adapters/kubernetes/errors";
import { FIELD_MANAGER, loadKubeConfig } from "@/server/adapters/kubernetes/host-client";

export interface KubeApi {
  /** the cluster as named in messages: host:port/path of its server */
  name: string;
  get<T>(path: string, what: string): Promise<T>;
  /** server-side apply as `open-vcluster`, forcing ownership of the fields it sets */
  apply<T>(path: string, body: object, what: string): Promise<T>;
  put<T>(path: string, body: object, what: string): Promise<T>;
  delete(path: string, what: string): Promise<void>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 30_000;

export function createKubeApi(kubeconfig: string): KubeApi {
  const kc = loadKubeConfig(kubeconfig);
  const server = new URL(kc.getCurrentCluster()?.server ?? "");
  const name = `${server.host}${server.pathname.replace(/\/$/, "")}`;
  const agent =
    server.protocol === "https:"
      ? new https.Agent({ keepAlive: true, maxSockets: 16 })
      : new http.Agent({ keepAlive: true, maxSockets: 16 });

  async function request<T>(
    method: string,
    path: string,
    what: string,
    body?: { contentType: string; data: object },
  ): Promise<T> {
    const url = new URL(server.pathname.replace(/\/$/, "") + path, server);
    const options: https.RequestOptions = { method, headers: { Accept: "application/json" } };
    await kc.applyToHTTPSOptions(options);
    const payload = body ? JSON.stringify(body.data) : undefined;
    if (body) options.headers = { ...options.headers, "Content-Type": body.contentType };
    try {
      return await new Promise<T>((resolve, reject) => {
        const req = (url.protocol === "https:" ? https : http).request(
          url,
          { ...options, agent, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              const status = res.statusCode ?? 0;
              // shaped like client-node's failures so that translateKubernetesError reads the status and message
              if (status >= 300)
                return reject(
                  Object.assign(new Error(`HTTP ${status}`), { statusCode: status, body: text, headers: res.headers }),
                );
              try {
                resolve((text ? JSON.parse(text) : {}) as T);
              } catch (err) {
                reject(err);
              }
            });
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    } catch (err) {
      throw translateKubernetesError(err, { host: name, what, timeoutMs: REQUEST_TIMEOUT_MS });
    }
  }

  return {
    name,
    get: (path, what) => request("GET", path, what),
    apply: (path, data, what) =>
      request("PATCH", `${path}?fieldManager=${FIELD_MANAGER}&force=true`, what, {
        contentType: "application/apply-patch+yaml",
        data,
      }),
    put: (path, data, what) =>
      request("PUT", `${path}?fieldManager=${FIELD_MANAGER}`, what, { contentType: "application/json", data }),
    delete: async (path, what) => void (await request("DELETE", path, what)),
    close: () => agent.destroy(),
  };
}
