import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export interface LocalSecrets {
  NEXTAUTH_SECRET: string;
  HOST_CREDENTIALS_KEY: string;
  /** the embedded database's password (user postgres), for the portal and for an operator's psql */
  EMBEDDED_DB_PASSWORD: string;
}

/**
 * Zero-setup runs keep their generated secrets in the data directory (mode 0600) so sessions and sealed host
 * credentials survive a restart. Values from the environment always win.
 */
export async function loadOrCreateSecrets(dataDir: string): Promise<LocalSecrets> {
  const file = path.join(dataDir, "secrets.json");
  let stored: Partial<LocalSecrets> = {};
  try {
    stored = JSON.parse(await readFile(file, "utf8")) as Partial<LocalSecrets>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secrets: LocalSecrets = {
    NEXTAUTH_SECRET: stored.NEXTAUTH_SECRET ?? randomBytes(32).toString("base64url"),
    HOST_CREDENTIALS_KEY: stored.HOST_CREDENTIALS_KEY ?? randomBytes(32).toString("hex"),
    EMBEDDED_DB_PASSWORD: stored.EMBEDDED_DB_PASSWORD ?? randomBytes(24).toString("base64url"),
  };
  if (
    secrets.NEXTAUTH_SECRET !== stored.NEXTAUTH_SECRET ||
    secrets.HOST_CREDENTIALS_KEY !== stored.HOST_CREDENTIALS_KEY ||
    secrets.EMBEDDED_DB_PASSWORD !== stored.EMBEDDED_DB_PASSWORD
  ) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET || secrets.NEXTAUTH_SECRET,
    HOST_CREDENTIALS_KEY: process.env.HOST_CREDENTIALS_KEY || secrets.HOST_CREDENTIALS_KEY,
    EMBEDDED_DB_PASSWORD: secrets.EMBEDDED_DB_PASSWORD,
  };
}
