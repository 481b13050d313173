import { z } from "zod";
import { listUsers } from "@/server/services/users";
import { adminProcedure, createTRPCRouter } from "../trpc";

const userRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  isPlatformAdmin: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.date(),
  projectCount: z.number().int(),
});

export const userRouter = createTRPCRouter({
  list: adminProcedure
    .meta({ openapi: { method: "GET", path: "/users", operationId: "listUsers", summary: "List all users (platform admins)", tags: ["users"] } }).output(z.array(userRowSchema)).query(({ ctx }) => listUsers(ctx.db)),
});
