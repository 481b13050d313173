import { AppError } from "@/server/universal/errors";
import { objectEncryptionKey } from "./object-encryption";
import { createObjectStore, type ObjectStore } from "./object-store";

export interface S3Settings {
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_FORCE_PATH_STYLE?: "true" | "false";
  SNAPSHOT_ENCRYPTION_KEY?: string;
  HOST_CREDENTIALS_KEY?: string;
}

/**
 * The snapshot store configured by S3_* settings (the launcher points them at the embedded store by default). What
 * it stores is encrypted with SNAPSHOT_ENCRYPTION_KEY, or a key derived from HOST_CREDENTIALS_KEY.
 */
export function objectStoreFrom(settings: S3Settings): ObjectStore {
  if (!settings.S3_BUCKET || !settings.S3_ACCESS_KEY_ID || !settings.S3_SECRET_ACCESS_KEY) {
    throw new AppError(
      "NOT_AVAILABLE",
      "snapshots need an S3 store: set S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (and S3_ENDPOINT for non-AWS stores)",
    );
  }
  return createObjectStore({
    endpoint: settings.S3_ENDPOINT,
    region: settings.S3_REGION,
    bucket: settings.S3_BUCKET,
    accessKeyId: settings.S3_ACCESS_KEY_ID,
    secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE
      ? settings.S3_FORCE_PATH_STYLE === "true"
      : Boolean(settings.S3_ENDPOINT),
    encryptionKey: objectEncryptionKey(settings),
  });
}
