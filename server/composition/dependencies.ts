/** The process's dependencies for requests (server/api/dependencies.ts), each built on first use from the environment. */
import { readFileSync } from "node:fs";
import { chartFromEnv } from "@/server/adapters/helm/chart-source";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import type { PortalDependencies } from "@/server/services/dependencies";
import { db as processDb, type Db } from "@/server/db/client";
import { createAdapterProvider } from "@/server/engine/placement/host-adapters";
import { env, gatewayUrl } from "@/server/env";

const globalForDependencies = globalThis as unknown as { ovcDependencies?: WeakMap<Db, PortalDependencies> };

function build(db: Db): PortalDependencies {
  let hosts: PortalDependencies["hosts"] | null = null;
  let store: ObjectStore | null = null;
  let caPem: string | null | undefined;
  return {
    get hosts() {
      hosts ??= createAdapterProvider(db, env().HOST_CREDENTIALS_KEY, { chart: chartFromEnv(env()) });
      return hosts;
    },
    objectStore: () => (store ??= objectStoreFrom(env())),
    // read on its own, so that procedures which only need the chart do not also need the portal's secrets
    chart: () =>
      chartFromEnv({
        VCLUSTER_CHART: process.env.VCLUSTER_CHART || undefined,
        VCLUSTER_CHART_VERSION: process.env.VCLUSTER_CHART_VERSION || undefined,
      }),
    gateway: () => {
      const e = env();
      caPem ??= e.GATEWAY_CA_FILE ? readFileSync(e.GATEWAY_CA_FILE, "utf8") : null;
      return { gatewayUrl: gatewayUrl(e), caPem, credentialsKey: e.HOST_CREDENTIALS_KEY };
    },
  };
}

/** One set per database client (tests run several databases in one process), shared by all its requests. */
export function portalDependencies(db: Db = processDb()): PortalDependencies {
  globalForDependencies.ovcDependencies ??= new WeakMap();
  let deps = globalForDependencies.ovcDependencies.get(db);
  if (!deps) {
    deps = build(db);
    globalForDependencies.ovcDependencies.set(db, deps);
  }
  return deps;
}
