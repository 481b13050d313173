import { Journal, objectKey } from "./journal";
import type { KObject } from "./types";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  res: string;
  rv: number;
  obj: KObject;
  old?: KObject;
}

/**
 * The etcd of one cluster: objects per resource, one increasing resourceVersion, a bounded window of past
 * events for watches, and a journal on disk. Stored objects are never mutated in place: writers hand in a
 * new object, readers must copy before changing one.
 */
export class Store {
  private data = new Map<string, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  private listeners = new Set<(e: StoreEvent) => void>();
  private rv = 0;
  /** Watches may start at any resourceVersion from here on; older ones get 410 Gone. */
  private floor = 0;
  private count = 0;

  constructor(
    private readonly journal: Journal | undefined,
    private readonly historySize = 10_000,
  ) {}

  static open(dir: string, historySize?: number): Store {
    const { journal, loaded } = Journal.open(dir);
    const s = new Store(journal, historySize);
    s.data = loaded.objects;
    s.rv = loaded.rv;
    s.floor = loaded.rv;
    for (const m of loaded.objects.values()) s.count += m.size;
    return s;
  }

  get currentRv(): number {
    return this.rv;
  }

  get oldestWatchableRv(): number {
    return this.floor;
  }

  get(res: string, ns: string | undefined, name: string): KObject | undefined {
    return this.data.get(res)?.get(ns ? `${ns}/${name}` : name);
  }

  /** Objects of a resource, optionally in one namespace, in key order as etcd returns them. */
  list(res: string, ns?: string): KObject[] {
    const m = this.data.get(res);
    if (!m) return [];
    const prefix = ns ? `${ns}/` : "";
    const keys = [...m.keys()].filter((k) => k.startsWith(prefix)).sort();
    return keys.map((k) => m.get(k) as KObject);
  }

  *all(): Iterable<[string, KObject]> {
    for (const [res, m] of this.data) for (const o of m.values()) yield [res, o];
  }

  /** Stores obj, stamping the next resourceVersion into it. */
  put(res: string, obj: KObject): KObject {
    const key = objectKey(obj);
    let m = this.data.get(res);
    if (!m) this.data.set(res, (m = new Map()));
    const old = m.get(key);
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    m.set(key, obj);
    if (!old) this.count++;
    this.journal?.put(res, obj);
    this.emit({ type: old ? "MODIFIED" : "ADDED", res, rv: this.rv, obj, old });
    return obj;
  }

  remove(res: string, obj: KObject): KObject | undefined {
    const key = objectKey(obj);
    const m = this.data.get(res);
    const old = m?.get(key);
    if (!m || !old) return undefined;
    m.delete(key);
    this.count--;
    this.rv++;
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(this.rv) } };
    this.journal?.remove(res, key, this.rv);
    this.emit({ type: "DELETED", res, rv: this.rv, obj: gone, old });
    return gone;
  }

  /** Past events after rv, or undefined when rv is older than the retained window. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.floor) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historySize * 1.5) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      this.floor = dropped[dropped.length - 1].rv;
    }
    if (this.journal?.needsCompaction(this.count)) this.journal.compact(this.rv, this.data);
    for (const l of this.listeners) l(e);
  }

  close(): void {
    this.listeners.clear();
    this.journal?.close();
  }
}
