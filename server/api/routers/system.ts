import { z } from "zod";
import { createTRPCRouter, query } from "../trpc";

export const systemRouter = createTRPCRouter({
  ping: query({
    scope: "public",
    openapi: {
      method: "GET",
      path: "/ping",
      operationId: "ping",
      summary: "Liveness (no token needed)",
      tags: ["system"],
      protect: false,
    },
  })
    .output(z.object({ ok: z.literal(true), time: z.date() }))
    .query(() => ({ ok: true as const, time: new Date() })),
});
