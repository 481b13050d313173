import type { ServerResponse } from "node:http";
import { errors } from "./errors";
import { isObj, nowIso, objs, str, type KObject } from "./types";

interface Line {
  time: string;
  text: string;
}

/**
 * What containers printed, as the kubelet keeps it on the node: the current run of each container and the one
 * before it (what `--previous` reads). It lives beside the API objects, not in them, like real container logs.
 */
export class ContainerLogs {
  private runs = new Map<string, Line[][]>();

  private key(pod: KObject, container: string): string {
    return `${pod.metadata.uid ?? ""}/${container}`;
  }

  /** Starts a new run of the container with these lines. */
  begin(pod: KObject, container: string, lines: string[]): void {
    const key = this.key(pod, container);
    const previous = this.runs.get(key)?.at(-1);
    const time = nowIso();
    this.runs.set(key, [...(previous ? [previous] : []), lines.map((text) => ({ time, text }))]);
  }

  append(pod: KObject, container: string, lines: string[]): void {
    const current = this.runs.get(this.key(pod, container))?.at(-1);
    const time = nowIso();
    current?.push(...lines.map((text) => ({ time, text })));
  }

  read(pod: KObject, container: string, previous: boolean): Line[] | undefined {
    const runs = this.runs.get(this.key(pod, container)) ?? [];
    return previous ? (runs.length > 1 ? runs[0] : undefined) : runs.at(-1);
  }

  forget(pod: KObject): void {
    for (const key of this.runs.keys()) if (key.startsWith(`${pod.metadata.uid ?? ""}/`)) this.runs.delete(key);
  }
}

/** The pods/log subresource, read from the kubelet's record of each container run. */
export function serveLog(logs: ContainerLogs, pod: KObject, query: URLSearchParams, res: ServerResponse): void {
  const containers = objs(isObj(pod.spec) ? pod.spec.containers : []);
  const wanted = query.get("container") ?? (containers.length === 1 ? str(containers[0].name) : "");
  if (!wanted) {
    throw errors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => str(c.name)).join(" ")}]`);
  }
  if (!containers.some((c) => c.name === wanted)) throw errors.badRequest(`container ${wanted} is not valid for pod ${pod.metadata.name}`);
  const previous = query.get("previous") === "true";
  const lines = logs.read(pod, wanted, previous);
  if (!lines) {
    if (previous) throw errors.badRequest(`previous terminated container "${wanted}" in pod "${pod.metadata.name}" not found`);
    throw errors.badRequest(`container "${wanted}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
  }
  const stamp = query.get("timestamps") === "true";
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end(lines.map((l) => `${stamp ? `${l.time.replace("Z", ".000000000Z")} ` : ""}${l.text}\n`).join(""));
}
