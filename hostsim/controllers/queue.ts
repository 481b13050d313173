import { ApiError } from "../errors";

/**
 * A level-triggered work queue: keys are deduplicated and reconciled on a later tick, and a reconcile that
 * lost an optimistic-concurrency race (409) or hit a transient error is retried shortly after.
 */
export class WorkQueue {
  private pending = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private retries = new Set<NodeJS.Timeout>();

  constructor(
    private readonly name: string,
    private readonly reconcile: (key: string) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => {
      this.retries.delete(t);
      this.add(key);
    }, ms);
    this.retries.add(t);
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) {
      if (this.stopped) return;
      try {
        this.reconcile(k);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code >= 500) console.error(`hostsim ${this.name} ${k}:`, e);
        if (!(e instanceof ApiError && e.code === 404)) this.addAfter(k, 20);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    this.pending.clear();
  }
}

export const nsKey = (ns: string | undefined, name: string | undefined): string => `${ns ?? ""}/${name ?? ""}`;

export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}
