import { apiTokenRouter } from "./routers/api-token";
import { auditRouter } from "./routers/audit";
import { hostClusterRouter } from "./routers/host-cluster";
import { meRouter } from "./routers/me";
import { notificationRouter } from "./routers/notification";
import { projectRouter } from "./routers/project";
import { snapshotRouter } from "./routers/snapshot";
import { systemRouter } from "./routers/system";
import { userRouter } from "./routers/user";
import { vclusterRouter } from "./routers/vcluster";
import { webhookRouter } from "./routers/webhook";
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
  audit: auditRouter,
  notification: notificationRouter,
  webhook: webhookRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
