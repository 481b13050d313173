/**
 * Where `ovc login` keeps the portal's address and token: the user's config dir, readable by the user only.
 * OVC_URL / OVC_TOKEN override it, so scripts and CI need no file.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CliError } from "./failure";

export interface Credentials {
  url: string;
  token: string;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "ovc", "config.json");
}

export async function saveCredentials(credentials: Credentials): Promise<string> {
  const file = configPath();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created; an older file keeps its bits unless we set them.
  await chmod(file, 0o600);
  return file;
}

async function readStored(): Promise<Partial<Credentials>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(configPath(), "utf8"));
    if (typeof parsed !== "object" || parsed === null) return {};
    const { url, token } = parsed as Record<string, unknown>;
    return { url: typeof url === "string" ? url : undefined, token: typeof token === "string" ? token : undefined };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new CliError(`cannot read ${configPath()}: ${(error as Error).message}`);
  }
}

export async function loadCredentials(): Promise<Credentials> {
  const stored = await readStored();
  const url = process.env.OVC_URL || stored.url;
  const token = process.env.OVC_TOKEN || stored.token;
  if (!url || !token)
    throw new CliError("not logged in: run `ovc login --url URL --token TOKEN`, or set OVC_URL and OVC_TOKEN");
  return { url, token };
}

/** Enough of a token to tell two apart, never enough to use one. */
export function maskToken(token: string): string {
  return token.length >= 16 ? `${token.slice(0, 4)}…${token.slice(-4)}` : "****";
}
