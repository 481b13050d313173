import { apiTokenRouter } from "./routers/api-token";
import { hostClusterRouter } from "./routers/host-cluster";
import { meRouter } from "./routers/me";
import { projectRouter } from "./routers/project";
import { snapshotRouter } from "./routers/snapshot";
import { systemRouter } from "./routers/system";
import { userRouter } from "./routers/user";
import { vclusterRouter } from "./routers/vcluster";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  system: systemRouter,
  me: meRouter,
  project: projectRouter,
  vcluster: vclusterRouter,
  snapshot: snapshotRouter,
  apiToken: apiTokenRouter,
  user: userRouter,
  hostCluster: hostClusterRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
