import type { ServerResponse } from "node:http";
import { errors } from "./errors";
import { isObj, objs, str, type KObject } from "./types";

/**
 * The pods/log subresource. Simulated containers print nothing of their own, so the log is the kubelet's
 * view of them: one line per container start, which is enough for clients that read or tail logs.
 */
export function serveLog(pod: KObject, query: URLSearchParams, res: ServerResponse): void {
  const containers = objs(isObj(pod.spec) ? pod.spec.containers : []);
  const wanted = query.get("container") ?? (containers.length === 1 ? str(containers[0].name) : "");
  if (!wanted) {
    throw errors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => str(c.name)).join(" ")}]`);
  }
  const container = containers.find((c) => c.name === wanted);
  if (!container) throw errors.badRequest(`container ${wanted} is not valid for pod ${pod.metadata.name}`);
  const status = objs(isObj(pod.status) ? pod.status.containerStatuses : []).find((c) => c.name === wanted);
  const running = isObj(status?.state) && isObj(status.state.running) ? status.state.running : undefined;
  if (!running) throw errors.badRequest(`container "${wanted}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
  const started = str(running.startedAt);
  const node = str(isObj(pod.spec) ? pod.spec.nodeName : "");
  const line = `started container ${wanted} from image ${str(container.image)} on node ${node}`;
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end(`${query.get("timestamps") === "true" ? `${started.replace("Z", ".000000000Z")} ` : ""}${line}\n`);
}
