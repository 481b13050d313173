import { z } from "zod";
import { listSnapshots } from "@/server/services/snapshot-list";
import { createTRPCRouter, signedInProcedure } from "../trpc";

const snapshotRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  vclusterName: z.string(),
  status: z.enum(["CREATING", "READY", "FAILED", "DELETING"]),
  sizeBytes: z.bigint().nullable(),
  objectCount: z.number().int().nullable(),
  createdAt: z.date(),
  createdByEmail: z.string().nullable(),
});

export const snapshotRouter = createTRPCRouter({
  list: signedInProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200, "limit may be at most 200").default(50) }))
    .output(z.array(snapshotRowSchema))
    .query(({ ctx, input }) => listSnapshots(ctx.db, ctx.actor, input)),
});
