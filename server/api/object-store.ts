import type { ObjectStore } from "@/server/adapters/s3/object-store";
import { objectStoreFrom } from "@/server/adapters/s3/store-from-env";
import { env } from "@/server/env";

const globalForStore = globalThis as unknown as { ovcObjectStore?: ObjectStore };

/** The snapshot store of this process; NOT_AVAILABLE when S3 is not configured. */
export function objectStore(): ObjectStore {
  globalForStore.ovcObjectStore ??= objectStoreFrom(env());
  return globalForStore.ovcObjectStore;
}
