import fs from "node:fs";
import path from "node:path";
import type { KObject } from "./types";

type Entry = { p: string; o: KObject } | { d: string; k: string; rv: number };

export interface Loaded {
  rv: number;
  objects: Map<string, Map<string, KObject>>;
}

export const objectKey = (o: KObject): string =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? "");

/**
 * Durable state of one cluster: a snapshot plus an append-only log of writes since it. Every write is one
 * appended line; the log is folded into a fresh snapshot once it outgrows the live data, so neither a write
 * nor a restart costs more than the data itself.
 */
export class Journal {
  private fd: number;
  private entries = 0;

  private constructor(
    private readonly dir: string,
    loadedEntries: number,
  ) {
    this.entries = loadedEntries;
    this.fd = fs.openSync(this.logPath(), "a");
  }

  static open(dir: string): { journal: Journal; loaded: Loaded } {
    fs.mkdirSync(dir, { recursive: true });
    const objects = new Map<string, Map<string, KObject>>();
    let rv = 0;
    const bucket = (res: string) => {
      let m = objects.get(res);
      if (!m) objects.set(res, (m = new Map()));
      return m;
    };
    const put = (res: string, o: KObject) => {
      bucket(res).set(objectKey(o), o);
      rv = Math.max(rv, Number(o.metadata.resourceVersion ?? 0));
    };
    const snap = path.join(dir, "snapshot.jsonl");
    if (fs.existsSync(snap)) {
      for (const line of fs.readFileSync(snap, "utf8").split("\n")) {
        if (!line) continue;
        const e = JSON.parse(line) as { rv?: number; r?: string; o?: KObject };
        if (e.rv !== undefined) rv = Math.max(rv, e.rv);
        if (e.r && e.o) put(e.r, e.o);
      }
    }
    let count = 0;
    const log = path.join(dir, "log.jsonl");
    if (fs.existsSync(log)) {
      for (const line of fs.readFileSync(log, "utf8").split("\n")) {
        if (!line) continue;
        let e: Entry;
        try {
          e = JSON.parse(line) as Entry;
        } catch {
          break; // a torn last line from a crash mid-write
        }
        count++;
        if ("p" in e) put(e.p, e.o);
        else {
          bucket(e.d).delete(e.k);
          rv = Math.max(rv, e.rv);
        }
      }
    }
    return { journal: new Journal(dir, count), loaded: { rv, objects } };
  }

  private logPath(): string {
    return path.join(this.dir, "log.jsonl");
  }

  put(res: string, o: KObject): void {
    this.write({ p: res, o });
  }

  remove(res: string, key: string, rv: number): void {
    this.write({ d: res, k: key, rv });
  }

  private write(e: Entry): void {
    fs.writeSync(this.fd, JSON.stringify(e) + "\n");
    this.entries++;
  }

  needsCompaction(liveObjects: number): boolean {
    return this.entries > Math.max(5000, liveObjects * 2);
  }

  compact(rv: number, objects: Map<string, Map<string, KObject>>): void {
    const lines = [JSON.stringify({ rv })];
    for (const [r, m] of objects) for (const o of m.values()) lines.push(JSON.stringify({ r, o }));
    const tmp = path.join(this.dir, "snapshot.jsonl.tmp");
    fs.writeFileSync(tmp, lines.join("\n") + "\n");
    fs.renameSync(tmp, path.join(this.dir, "snapshot.jsonl"));
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.logPath(), "w");
    this.entries = 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
