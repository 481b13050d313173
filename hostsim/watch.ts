import type { ServerResponse } from "node:http";
import { matchesFields, matchesLabels, type FieldRequirement, type Requirement } from "./selectors";
import type { Store, StoreEvent } from "./store";
import type { KObject } from "./types";

export interface ObjectFilter {
  res: string;
  ns?: string;
  labels: Requirement[];
  fields: FieldRequirement[];
}

export function matches(f: ObjectFilter, o: KObject): boolean {
  return (
    (!f.ns || o.metadata.namespace === f.ns) && matchesLabels(f.labels, o.metadata.labels) && matchesFields(f.fields, o)
  );
}

/** Open watch streams of one server, so injected faults can cut them and shutdown can end them. */
export class WatchHub {
  private open = new Map<ServerResponse, { startedAt: number; cut?: NodeJS.Timeout }>();

  /** lifetime tells how long a stream started at a given time may still live (undefined: no limit). */
  constructor(private readonly lifetime: (startedAt: number) => number | undefined = () => undefined) {}

  add(res: ServerResponse): void {
    this.open.set(res, { startedAt: Date.now() });
    this.schedule(res);
    res.on("close", () => {
      clearTimeout(this.open.get(res)?.cut);
      this.open.delete(res);
    });
  }

  private schedule(res: ServerResponse): void {
    const w = this.open.get(res);
    if (!w) return;
    clearTimeout(w.cut);
    const ms = this.lifetime(w.startedAt);
    // Destroying rather than ending the response is what a broken connection looks like to the client.
    if (ms !== undefined) w.cut = setTimeout(() => res.destroy(), ms);
  }

  /** Re-applies the lifetime to every open stream after the faults changed. */
  refresh(): void {
    for (const res of this.open.keys()) this.schedule(res);
  }

  endAll(): void {
    for (const r of this.open.keys()) r.end();
  }
}

export interface WatchParams {
  store: Store;
  filter: ObjectFilter;
  res: ServerResponse;
  rv: string | undefined;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds: number;
  bookmarkIntervalMs: number;
  hub: WatchHub;
  /** Shapes each object as the client asked (plain, Table row, partial metadata). */
  render: (o: KObject) => unknown;
  /** What a bookmark carries besides the resourceVersion. */
  bookmark: (rv: number, initialEnd: boolean) => unknown;
}

function project(f: ObjectFilter, e: StoreEvent): { type: string; obj: KObject } | undefined {
  if (e.res !== f.res) return undefined;
  if (e.type === "ADDED") return matches(f, e.obj) ? { type: "ADDED", obj: e.obj } : undefined;
  if (e.type === "DELETED") return matches(f, e.old ?? e.obj) ? { type: "DELETED", obj: e.obj } : undefined;
  const was = e.old !== undefined && matches(f, e.old);
  const is = matches(f, e.obj);
  if (was && is) return { type: "MODIFIED", obj: e.obj };
  if (is) return { type: "ADDED", obj: e.obj };
  if (was) return { type: "DELETED", obj: e.obj };
  return undefined;
}

/** Streams watch events as newline-delimited JSON, the way the apiserver answers ?watch=true. */
export function serveWatch(p: WatchParams): void {
  const { res, store, filter } = p;
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  p.hub.add(res);
  const send = (type: string, object: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify({ type, object }) + "\n");
  };
  const start = p.rv === undefined || p.rv === "" || p.rv === "0" ? undefined : Number(p.rv);
  let backlog: StoreEvent[] = [];
  if (start === undefined || p.sendInitialEvents) {
    for (const o of store.list(filter.res, filter.ns)) if (matches(filter, o)) send("ADDED", p.render(o));
    if (p.sendInitialEvents && p.allowBookmarks) send("BOOKMARK", p.bookmark(store.currentRv, true));
  } else {
    const since = store.eventsSince(start);
    if (!since) {
      send("ERROR", {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `too old resource version: ${start} (${store.oldestWatchableRv})`,
        reason: "Expired",
        code: 410,
      });
      res.end();
      return;
    }
    backlog = since;
  }
  for (const e of backlog) {
    const ev = project(filter, e);
    if (ev) send(ev.type, p.render(ev.obj));
  }
  const unsubscribe = store.subscribe((e) => {
    const ev = project(filter, e);
    if (ev) send(ev.type, p.render(ev.obj));
  });
  const bookmarks = p.allowBookmarks
    ? setInterval(() => send("BOOKMARK", p.bookmark(store.currentRv, false)), p.bookmarkIntervalMs)
    : undefined;
  const timeout = setTimeout(() => res.end(), p.timeoutSeconds * 1000);
  res.on("close", () => {
    unsubscribe();
    clearInterval(bookmarks);
    clearTimeout(timeout);
  });
}
