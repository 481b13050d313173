/**
 * Long-running requests (watches, logs -f, exec, port-forward) outlive the check made when they started, so they
 * are checked again twice a second, in one query for all of them: a revoked token, a removed member, a lower role,
 * a disabled account or a vcluster that stopped serving ends the stream.
 */
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { recheckGrants, type Grant } from "./grant";
import { GatewayRefusal } from "./status";

const RECHECK_MS = 500;

interface OpenStream {
  grant: Grant;
  cut: (refusal: GatewayRefusal | null) => void;
}

export class OpenStreams {
  private streams = new Set<OpenStream>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly db: Db,
    /** null while the vcluster serves, else why it does not */
    private readonly unavailable: (grant: Grant) => GatewayRefusal | null,
  ) {}

  /** Registers a stream; the returned function unregisters it when it ends by itself. */
  add(grant: Grant, cut: (refusal: GatewayRefusal | null) => void): () => void {
    const stream = { grant, cut };
    this.streams.add(stream);
    this.timer ??= setInterval(() => void this.recheck(), RECHECK_MS);
    return () => this.remove(stream);
  }

  get size(): number {
    return this.streams.size;
  }

  close(): void {
    for (const stream of [...this.streams]) stream.cut(null);
    this.streams.clear();
    this.stopTimer();
  }

  private remove(stream: OpenStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async recheck(): Promise<void> {
    if (this.checking || this.streams.size === 0) return;
    this.checking = true;
    try {
      const current = await recheckGrants(this.db, [...new Set([...this.streams].map((s) => s.grant.tokenId))]);
      for (const stream of [...this.streams]) {
        const now = current.get(stream.grant.tokenId);
        // a changed role ends the stream too: the client reconnects under the identity the role now gives
        const refusal =
          !now || now instanceof GatewayRefusal
            ? (now ?? null)
            : now.role !== stream.grant.role
              ? null
              : this.unavailable(now);
        if (refusal || !now || now instanceof GatewayRefusal || now.role !== stream.grant.role) {
          this.remove(stream);
          stream.cut(refusal);
        }
      }
    } catch (error) {
      // the database is unreachable: streams keep their last grant until the next check can decide
      logger().warn({ err: error }, "gateway: re-checking open streams failed");
    } finally {
      this.checking = false;
    }
  }
}
