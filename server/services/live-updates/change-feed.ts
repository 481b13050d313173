/**
 * One feed per database client (so one per server process): it learns that vclusters changed from PostgreSQL
 * LISTEN, when the database is a server, and from polling `updatedAt` always, because a notice can be missed
 * (the LISTEN connection drops, or the embedded database's single session does not deliver it across
 * connections). Each change is read once here and fanned out in-process to the subscribers.
 */
import { EventEmitter } from "node:events";
import pg from "pg";
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { VCLUSTER_CHANGES_CHANNEL } from "@/server/engine/reconcile/change-events";
import { logger } from "@/server/observability/logger";
import type { VClusterRow } from "@/server/universal/vcluster-view";
import { rowsByIds, rowsUpdatedAfter, type VersionedRow } from "./vcluster-rows";

export interface VClusterChange {
  vclusterId: string;
  projectId: string;
  /** null once the cluster is deleted */
  row: VClusterRow | null;
  at: Date;
}

export interface ChangeFeedOptions {
  /** where to LISTEN; null (or an embedded database) means polling only */
  listenUrl: string | null;
  pollMs: number;
}

/**
 * `updatedAt` is stamped by the writer's clock before its transaction commits, so a row can appear with a stamp
 * a little older than the newest one already seen; polling re-reads this much behind it.
 */
const OVERLAP_MS = 10_000;
const LISTEN_RETRY_MS = 30_000;
/** how long an announced version is remembered to suppress the same change arriving by the other path */
const REMEMBER_MS = 120_000;

const noticeSchema = z.object({ vclusterId: z.string().min(1), projectId: z.string().min(1) });

type Version = number | "deleted";

export class VClusterChangeFeed {
  private readonly events = new EventEmitter();
  private subscribers = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private listener: pg.Client | null = null;
  private listenRetryAt = 0;
  private embedded = false;
  private newest = new Date();
  private announced = new Map<string, { version: Version; at: number }>();
  /**
   * Every cluster that exists, id → projectId. A deleted row leaves no `updatedAt` to poll for, so a poll compares
   * the table's row count with this index and rescans the ids when they differ.
   */
  private known = new Map<string, string>();
  private indexed = false;
  /** notified but not yet read: id → projectId */
  private notified = new Map<string, string>();
  /** reads run one after another so an older read never announces after a newer one */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly options: ChangeFeedOptions,
  ) {
    this.events.setMaxListeners(0);
  }

  /** The feed runs while it has subscribers; returns the unsubscribe. */
  subscribe(listener: (change: VClusterChange) => void): () => void {
    this.events.on("change", listener);
    if (this.subscribers++ === 0) this.start();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.events.off("change", listener);
      if (--this.subscribers === 0) this.stop();
    };
  }

  /** true while a LISTEN connection is open (a PostgreSQL server, not the embedded database) */
  get listening(): boolean {
    return this.listener !== null;
  }

  private start(): void {
    this.running = true;
    this.newest = new Date();
    this.indexed = false;
    this.schedule(0);
  }

  private stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const listener = this.listener;
    this.listener = null;
    listener
      ?.end()
      .catch((error: unknown) => logger().warn({ err: error }, "live updates: closing the LISTEN connection failed"));
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.enqueue(() => this.tick()).finally(() => {
        if (this.running) this.schedule(this.options.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain
      .then(work)
      .catch((error: unknown) =>
        logger().warn({ err: error }, "live updates: reading changes failed; retrying on the next poll"),
      );
    return this.chain;
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    if (this.options.listenUrl && !this.embedded && !this.listener && Date.now() >= this.listenRetryAt)
      await this.listen(this.options.listenUrl);
    // Counted before reading changes: a row created in between is then in the changes but not the count, which only
    // causes a needless rescan; the other order could hide a deletion behind a creation.
    const count = await this.db.vCluster.count();
    this.announceRows(await rowsUpdatedAfter(this.db, new Date(this.newest.getTime() - OVERLAP_MS)), new Map());
    if (!this.indexed || count !== this.known.size) await this.rescan();
    this.forgetOld();
  }

  private async rescan(): Promise<void> {
    const rows = await this.db.vCluster.findMany({ select: { id: true, projectId: true } });
    const existing = new Set(rows.map((r) => r.id));
    const gone = new Map([...this.known].filter(([id]) => !existing.has(id)));
    const unknown = this.indexed ? rows.filter((r) => !this.known.has(r.id)).map((r) => r.id) : [];
    if (!this.indexed) for (const r of rows) this.known.set(r.id, r.projectId);
    this.indexed = true;
    this.announceRows(await rowsByIds(this.db, unknown), gone);
  }

  private async readNotified(): Promise<void> {
    const ids = new Map(this.notified);
    this.notified.clear();
    if (ids.size > 0) this.announceRows(await rowsByIds(this.db, [...ids.keys()]), ids);
  }

  /** Announces each row newer than what was announced, and each of `expected` that has no row as deleted. */
  private announceRows(rows: VersionedRow[], expected: Map<string, string>): void {
    const at = new Date();
    for (const { row, updatedAt } of rows) {
      expected.delete(row.id);
      if (updatedAt > this.newest) this.newest = updatedAt;
      this.known.set(row.id, row.projectId);
      const previous = this.announced.get(row.id)?.version;
      if (previous !== undefined && (previous === "deleted" || previous >= updatedAt.getTime())) continue;
      this.announced.set(row.id, { version: updatedAt.getTime(), at: Date.now() });
      this.emit({ vclusterId: row.id, projectId: row.projectId, row, at });
    }
    for (const [id, projectId] of expected) {
      this.known.delete(id);
      if (this.announced.get(id)?.version === "deleted") continue;
      this.announced.set(id, { version: "deleted", at: Date.now() });
      this.emit({ vclusterId: id, projectId, row: null, at });
    }
  }

  private emit(change: VClusterChange): void {
    this.events.emit("change", change);
  }

  private forgetOld(): void {
    const before = Date.now() - REMEMBER_MS;
    for (const [id, entry] of this.announced) if (entry.at < before) this.announced.delete(id);
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    const lost = (error?: unknown) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listenRetryAt = Date.now() + LISTEN_RETRY_MS;
      logger().warn({ err: error }, "live updates: LISTEN connection lost; polling until it is back");
    };
    client.on("error", lost);
    client.on("end", () => lost());
    try {
      await client.connect();
      const { rows } = await client.query<{ version: string }>("SELECT version() AS version");
      // The embedded database has one session for all connections: a notice reaches whichever connection reads next.
      if (rows[0]?.version.includes("PGlite")) {
        this.embedded = true;
        await client.end();
        return;
      }
      client.on("notification", (message) => this.onNotice(message.payload));
      await client.query(`LISTEN ${VCLUSTER_CHANGES_CHANNEL}`);
      if (this.running) this.listener = client;
      else await client.end();
    } catch (error) {
      this.listenRetryAt = Date.now() + LISTEN_RETRY_MS;
      logger().warn({ err: error }, "live updates: cannot LISTEN; polling only for now");
      await client.end().catch(() => undefined);
    }
  }

  private onNotice(payload: string | undefined): void {
    let notice: z.infer<typeof noticeSchema>;
    try {
      notice = noticeSchema.parse(JSON.parse(payload ?? ""));
    } catch {
      logger().warn({ channel: VCLUSTER_CHANGES_CHANNEL }, "live updates: ignoring a malformed notice");
      return;
    }
    const first = this.notified.size === 0;
    this.notified.set(notice.vclusterId, notice.projectId);
    if (first) void this.enqueue(() => this.readNotified());
  }
}

const registry = globalThis as unknown as { ovcChangeFeeds?: WeakMap<Db, VClusterChangeFeed> };

/**
 * The feed of a database client, made on first use. The portal's own client LISTENs at DATABASE_URL; tests and
 * tools that hold another client pass where it points.
 */
export function changeFeedFor(db: Db, options: Partial<ChangeFeedOptions> = {}): VClusterChangeFeed {
  registry.ovcChangeFeeds ??= new WeakMap();
  let feed = registry.ovcChangeFeeds.get(db);
  if (!feed) {
    feed = new VClusterChangeFeed(db, { listenUrl: process.env.DATABASE_URL ?? null, pollMs: 1_000, ...options });
    registry.ovcChangeFeeds.set(db, feed);
  }
  return feed;
}
