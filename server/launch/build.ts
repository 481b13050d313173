import { setTimeout as delay } from "node:timers/promises";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { link, readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";

const SOURCES = [
  "app",
  "components",
  "server",
  "public",
  "next.config.mjs",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
  "prisma/schema.prisma",
];
const SKIP = new Set(["generated", "node_modules"]);
const STAMP = ".next/ovc-source-hash";
// outside .next, which `next build` empties as it starts
const LOCK = ".ovc-build.lock";

async function hashTree(entry: string, hash: ReturnType<typeof createHash>): Promise<void> {
  const info = await stat(entry).catch(() => null);
  if (!info) return;
  if (info.isDirectory()) {
    const children = (await readdir(entry)).filter((c) => !SKIP.has(c) && !c.endsWith(".test.ts")).sort();
    for (const child of children) await hashTree(path.join(entry, child), hash);
    return;
  }
  hash.update(entry).update(await readFile(entry));
}

export async function sourceHash(root: string): Promise<string> {
  const hash = createHash("sha256");
  for (const entry of SOURCES) await hashTree(path.join(root, entry), hash);
  return hash.digest("hex");
}

export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${signal ?? code}`)),
    );
  });
}

async function isBuilt(root: string, current: string): Promise<{ built: boolean; hasBuild: boolean }> {
  const stamp = await readFile(path.join(root, STAMP), "utf8").catch(() => null);
  const hasBuild = await stat(path.join(root, ".next/BUILD_ID")).then(
    () => true,
    () => false,
  );
  return { built: hasBuild && stamp === current, hasBuild };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One build at a time per checkout: launchers started at once would otherwise each run `next build` in the same
 * `.next`, and Next refuses all but one ("Another next build process is already running"). The lock file holds its
 * owner's pid, so one left by a killed process is taken over instead of waited for.
 */
async function withBuildLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const file = path.join(root, LOCK);
  // written first and then linked into place, so the lock file never exists without its owner's pid
  const mine = `${file}.${process.pid}`;
  await writeFile(mine, String(process.pid));
  try {
    for (;;) {
      const taken = await link(mine, file).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code !== "EEXIST") throw error;
          return false;
        },
      );
      if (taken) break;
      const owner = Number(await readFile(file, "utf8").catch(() => ""));
      if (owner > 0 && !isAlive(owner)) await unlink(file).catch(() => undefined);
      else await delay(500);
    }
  } finally {
    await unlink(mine);
  }
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

/** Builds the production bundle when there is none or the sources changed since the last build. */
export async function ensureBuild(root: string): Promise<void> {
  const current = await sourceHash(root);
  if ((await isBuilt(root, current)).built) return;
  await withBuildLock(root, async () => {
    // whoever held the lock before may just have built these sources
    const { built, hasBuild } = await isBuilt(root, current);
    if (built) return;
    console.log(hasBuild ? "sources changed since the last build: rebuilding" : "first run: building the portal");
    await run(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    await writeFile(path.join(root, STAMP), current);
  });
}
