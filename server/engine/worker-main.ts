/** `npm run worker`: the engine alone, for scaling operations out beyond the web servers. */
import { logger } from "@/server/observability/logger";
import { startEngineFromEnv } from "./engine-from-env";

const engine = await startEngineFromEnv();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    logger().info({ signal }, "worker stopping");
    engine.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger().error({ err: error }, "worker did not stop cleanly");
        process.exit(1);
      },
    );
  });
}
