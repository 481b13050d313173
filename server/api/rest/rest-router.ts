/** What the REST gateway serves: the procedures marked with `meta.openapi`, plus the REST-only ones. */
import { appRouter } from "../root";
import { createTRPCRouter } from "../trpc";
import { restOnlyRouter } from "./rest-only";

export const REST_BASE = "/api/v1";

export const restRouter = createTRPCRouter({ ...appRouter._def.record, rest: restOnlyRouter });
