import type { ControllerContext } from "./context";

/** Events expire like the apiserver's (its --event-ttl), so a long-running simulator does not grow without end. */
export function startEventExpiry(ctx: ControllerContext, ttlMs: number): () => void {
  const events = ctx.cluster.rt("", "events");
  const sweep = () => {
    const cutoff = Date.now() - ttlMs;
    for (const e of ctx.cluster.list(events)) {
      if (Date.parse(e.metadata.creationTimestamp ?? "") < cutoff)
        ctx.cluster.delete(events, e.metadata.namespace, e.metadata.name ?? "");
    }
  };
  const timer = setInterval(sweep, Math.min(ttlMs, 60_000));
  timer.unref();
  return () => clearInterval(timer);
}
