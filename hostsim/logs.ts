import type { ServerResponse } from "node:http";
import { errors } from "./errors";
import { isObj, nowIso, objs, str, type KObject } from "./types";

interface Line {
  time: string;
  text: string;
}

interface Follower {
  run: Line[];
  onLine: (l: Line) => void;
  onEnd: () => void;
}

/**
 * What containers printed, as the kubelet keeps it on the node: the current run of each container and the one
 * before it (what `--previous` reads). It lives beside the API objects, not in them, like real container logs.
 */
export class ContainerLogs {
  private runs = new Map<string, Line[][]>();
  private followers = new Map<string, Set<Follower>>();

  private key(pod: KObject, container: string): string {
    return `${pod.metadata.uid ?? ""}/${container}`;
  }

  /** Starts a new run of the container with these lines; whoever followed the previous run reaches its end. */
  begin(pod: KObject, container: string, lines: string[]): void {
    const key = this.key(pod, container);
    const previous = this.runs.get(key)?.at(-1);
    const time = nowIso();
    this.runs.set(key, [...(previous ? [previous] : []), lines.map((text) => ({ time, text }))]);
    this.end(key);
  }

  append(pod: KObject, container: string, lines: string[]): void {
    const key = this.key(pod, container);
    const current = this.runs.get(key)?.at(-1);
    const time = nowIso();
    const added = lines.map((text) => ({ time, text }));
    current?.push(...added);
    for (const f of this.followers.get(key) ?? []) if (f.run === current) for (const l of added) f.onLine(l);
  }

  read(pod: KObject, container: string, previous: boolean): Line[] | undefined {
    const runs = this.runs.get(this.key(pod, container)) ?? [];
    return previous ? (runs.length > 1 ? runs[0] : undefined) : runs.at(-1);
  }

  /** Calls onLine with what the current run prints from now on, and onEnd when it ends; returns the unsubscribe. */
  follow(pod: KObject, container: string, onLine: (l: Line) => void, onEnd: () => void): () => void {
    const key = this.key(pod, container);
    const run = this.runs.get(key)?.at(-1);
    if (!run) {
      onEnd();
      return () => {};
    }
    const f = { run, onLine, onEnd };
    const set = this.followers.get(key) ?? new Set<Follower>();
    this.followers.set(key, set.add(f));
    return () => set.delete(f);
  }

  private end(key: string): void {
    for (const f of this.followers.get(key) ?? []) f.onEnd();
    this.followers.delete(key);
  }

  forget(pod: KObject): void {
    const prefix = `${pod.metadata.uid ?? ""}/`;
    for (const key of [...this.runs.keys(), ...this.followers.keys()]) {
      if (!key.startsWith(prefix)) continue;
      this.runs.delete(key);
      this.end(key);
    }
  }
}

/**
 * The pods/log subresource, read from the kubelet's record of each container run: `container`, `previous`,
 * `timestamps`, `tailLines` (validated as pkg/registry/core/pod/rest/log.go does: PodLogOptions "POD" is invalid)
 * and `follow`, which streams what the container prints until that run ends.
 */
export function serveLog(logs: ContainerLogs, pod: KObject, query: URLSearchParams, res: ServerResponse): void {
  const name = pod.metadata.name ?? "";
  const tail = query.get("tailLines");
  if (tail !== null && Number(tail) < 0) {
    throw errors.invalid("PodLogOptions", "", name, [
      {
        reason: "FieldValueInvalid",
        field: "tailLines",
        message: `Invalid value: ${Number(tail)}: must be greater than or equal to 0`,
      },
    ]);
  }
  const containers = objs(isObj(pod.spec) ? pod.spec.containers : []);
  const wanted = query.get("container") ?? (containers.length === 1 ? str(containers[0].name) : "");
  if (!wanted) {
    throw errors.badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => str(c.name)).join(" ")}]`,
    );
  }
  if (!containers.some((c) => c.name === wanted))
    throw errors.badRequest(`container ${wanted} is not valid for pod ${name}`);
  const previous = query.get("previous") === "true";
  const lines = logs.read(pod, wanted, previous);
  if (!lines) {
    if (previous) throw errors.badRequest(`previous terminated container "${wanted}" in pod "${name}" not found`);
    throw errors.badRequest(`container "${wanted}" in pod "${name}" is waiting to start: ContainerCreating`);
  }
  const stamp = query.get("timestamps") === "true";
  const format = (l: Line) => `${stamp ? `${l.time.replace("Z", ".000000000Z")} ` : ""}${l.text}\n`;
  const shown = tail === null ? lines : lines.slice(lines.length - Math.min(lines.length, Math.floor(Number(tail))));
  res.writeHead(200, { "Content-Type": "text/plain" });
  if (query.get("follow") !== "true" || previous) {
    res.end(shown.map(format).join(""));
    return;
  }
  res.write(shown.map(format).join(""));
  const stop = logs.follow(
    pod,
    wanted,
    (l) => res.write(format(l)),
    () => res.end(),
  );
  res.on("close", stop);
}
