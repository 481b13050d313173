import { db } from "@/server/db/client";
import { createAdapterProvider } from "@/server/engine/host-adapters";
import type { AdapterProvider } from "@/server/engine/worker";
import { env } from "@/server/env";

const globalForAdapters = globalThis as unknown as { ovcAdapters?: AdapterProvider };

/** The API's view of the host clusters, shared by every request of this process. */
export function hostAdapters(): AdapterProvider {
  globalForAdapters.ovcAdapters ??= createAdapterProvider(db(), env().HOST_CREDENTIALS_KEY, { installer: env().VCLUSTER_INSTALLER });
  return globalForAdapters.ovcAdapters;
}
