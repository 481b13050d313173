import type { Db } from "@/server/db/client";
import { createAdapterProvider } from "@/server/engine/placement/host-adapters";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";
import { env } from "@/server/env";
import { chartFromEnv } from "@/server/adapters/helm/chart-source";

const globalForAdapters = globalThis as unknown as { ovcAdapters?: WeakMap<Db, AdapterProvider> };

/** The API's view of the host clusters registered in `db`, shared by every request of this process. */
export function hostAdapters(db: Db): AdapterProvider {
  globalForAdapters.ovcAdapters ??= new WeakMap();
  let provider = globalForAdapters.ovcAdapters.get(db);
  if (!provider) {
    provider = createAdapterProvider(db, env().HOST_CREDENTIALS_KEY, { chart: chartFromEnv(env()) });
    globalForAdapters.ovcAdapters.set(db, provider);
  }
  return provider;
}
