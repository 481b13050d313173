import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const systemRouter = createTRPCRouter({
  ping: publicProcedure.output(z.object({ ok: z.literal(true), time: z.date() })).query(() => ({ ok: true as const, time: new Date() })),
});
