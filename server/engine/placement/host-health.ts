import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";

/**
 * Probes every host at once, so one that hangs costs its own timeout and no one else's; the scheduler then
 * avoids unreachable hosts.
 */
export async function checkHostHealth(db: Db, adapters: AdapterProvider): Promise<void> {
  const hosts = await db.hostCluster.findMany({ select: { id: true, name: true, health: true } });
  await Promise.all(
    hosts.map(async (host) => {
      try {
        const info = await (await adapters.forHost(host.id)).probe();
        await db.hostCluster.update({
          where: { id: host.id },
          data: {
            health: "HEALTHY",
            healthMessage: `${info.nodes} nodes`,
            kubernetesVersion: info.kubernetesVersion,
            lastHealthCheckAt: new Date(),
          },
        });
      } catch (error) {
        const message = error instanceof AppError ? error.message : "probe failed";
        if (host.health !== "UNREACHABLE") logger().warn({ host: host.name, err: error }, "host cluster unreachable");
        await db.hostCluster.update({
          where: { id: host.id },
          data: { health: "UNREACHABLE", healthMessage: message, lastHealthCheckAt: new Date() },
        });
      }
    }),
  );
}
