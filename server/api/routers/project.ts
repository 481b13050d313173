import { z } from "zod";
import { listProjectsForActor } from "@/server/services/projects";
import { createTRPCRouter, projectProcedure, signedInProcedure } from "../trpc";
import { roleSchema } from "../schemas";

const projectSummarySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: roleSchema,
  vclusterCount: z.number().int(),
});

export const projectRouter = createTRPCRouter({
  list: signedInProcedure.output(z.array(projectSummarySchema)).query(({ ctx }) => listProjectsForActor(ctx.db, ctx.actor)),
  myRole: projectProcedure("VIEWER")
    .output(z.object({ projectId: z.string(), role: roleSchema }))
    .query(({ ctx }) => ({ projectId: ctx.project.id, role: ctx.project.role })),
});
