import { z } from "zod";
import { changeFeedFor } from "@/server/services/live-updates/change-feed";
import { watchVClusters, type VClusterWatchEvent } from "@/server/services/live-updates/watch-vclusters";
import { subscription } from "../trpc";
import { rowSchema } from "@/server/universal/vcluster-view";

export const watchEventSchema = z.object({ vcluster: rowSchema.nullable(), vclusterId: z.string(), at: z.date() });

/** tRPC's `.output()` would parse the stream object itself, so each event is checked against the schema instead. */
async function* checked(
  events: AsyncGenerator<VClusterWatchEvent, void>,
): AsyncGenerator<z.infer<typeof watchEventSchema>, void> {
  for await (const event of events) yield watchEventSchema.parse(event);
}

/** `vcluster.watch`: status changes of the clusters the caller can see, streamed over SSE. */
export const watchProcedure = subscription({ scope: { project: "VIEWER", optional: true } }).subscription(
  async ({ ctx, input, signal }) =>
    checked(await watchVClusters(changeFeedFor(ctx.db), ctx.db, ctx.actor, input, signal)),
);
