import type { Actor } from "@/server/auth/actor";
import { isSessionRowLive } from "@/server/auth/server-sessions";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/universal/errors";
import { roleIn } from "@/server/services/access/project-role";
import type { VClusterRow } from "@/server/universal/vcluster-view";
import type { VClusterChange, VClusterChangeFeed } from "./change-feed";

export interface VClusterWatchEvent {
  /** the cluster as `vcluster.list` shows it; null once deleted */
  vcluster: VClusterRow | null;
  vclusterId: string;
  at: Date;
}

async function maySee(db: Db, actor: Actor, projectId: string): Promise<boolean> {
  return (await roleIn(db, actor, projectId)) !== null;
}

/**
 * Changes of the clusters the caller can see, optionally of one project. The project is checked up front (a
 * non-member gets NOT_FOUND, as everywhere), and membership again for every change, so a caller removed from a
 * project stops hearing about it at once; the caller's account and token are checked every two seconds.
 */
export async function watchVClusters(
  feed: VClusterChangeFeed,
  db: Db,
  actor: Actor,
  query: { projectId?: string },
  signal?: AbortSignal,
): Promise<AsyncGenerator<VClusterWatchEvent, void>> {
  if (query.projectId) {
    const visible = actor.isPlatformAdmin
      ? (await db.project.count({ where: { id: query.projectId } })) > 0
      : await maySee(db, actor, query.projectId);
    if (!visible) throw notFound("project");
  }
  return stream(feed, db, actor, query.projectId ?? null, signal);
}

const RECHECK_MS = 2_000;

/** The caller's account is enabled and the API token or browser session they came with is still live. */
async function stillSignedIn(db: Db, actor: Actor, now = new Date()): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: actor.userId }, select: { disabled: true } });
  if (!user || user.disabled) return false;
  if (actor.sessionId && !(await isSessionRowLive(db, actor.sessionId, now))) return false;
  if (!actor.tokenId) return true;
  const token = await db.apiToken.findUnique({
    where: { id: actor.tokenId },
    select: { revokedAt: true, expiresAt: true },
  });
  return !!token && !token.revokedAt && (!token.expiresAt || token.expiresAt > now);
}

async function* stream(
  feed: VClusterChangeFeed,
  db: Db,
  actor: Actor,
  projectId: string | null,
  signal?: AbortSignal,
): AsyncGenerator<VClusterWatchEvent, void> {
  const queue: VClusterChange[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = feed.subscribe((change) => {
    if (projectId && change.projectId !== projectId) return;
    queue.push(change);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  // a revoked token or a disabled account ends the feed within RECHECK_MS, changes or not
  let recheck = false;
  const timer = setInterval(() => {
    recheck = true;
    wake?.();
  }, RECHECK_MS);
  try {
    while (!signal?.aborted) {
      if (recheck) {
        recheck = false;
        if (!(await stillSignedIn(db, actor))) return;
      }
      const change = queue.shift();
      if (!change) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if (await maySee(db, actor, change.projectId))
        yield { vcluster: change.row, vclusterId: change.vclusterId, at: change.at };
    }
  } finally {
    clearInterval(timer);
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}
