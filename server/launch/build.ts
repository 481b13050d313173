import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

const SOURCES = ["app", "components", "server", "public", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "prisma/schema.prisma"];
const SKIP = new Set(["generated", "node_modules"]);
const STAMP = ".next/ovc-source-hash";

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

/** Builds the production bundle when there is none or the sources changed since the last build. */
export async function ensureBuild(root: string): Promise<void> {
  const current = await sourceHash(root);
  const built = await readFile(path.join(root, STAMP), "utf8").catch(() => null);
  const hasBuild = await stat(path.join(root, ".next/BUILD_ID")).then(
    () => true,
    () => false,
  );
  if (hasBuild && built === current) return;
  console.log(hasBuild ? "sources changed since the last build: rebuilding" : "first run: building the portal");
  await run(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  await writeFile(path.join(root, STAMP), current);
}
