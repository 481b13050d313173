/**
 * `npm run bench:web`: the browser portal's figures against the production build (prints, asserts nothing).
 *  (a) First-load JS per route: the chunks Next's build lists for each app route (`.next/diagnostics/route-bundle-stats.json`,
 *      else each page's client reference manifest plus the root main files), gzipped with node:zlib. Target ≤ 180 kB.
 *  (b) The clusters list with 1 000 vclusters: from navigation to the first row rendered and clickable, in headless
 *      Debian Chromium, on an embedded PostgreSQL seeded directly (the engine is off, so nothing moves). Target ≤ 300 ms.
 */
import { readFile, readdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { createDb } from "@/server/db/client";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { applyMigrations } from "@/server/db/migrate/apply-migrations";
import { ensureBuild } from "@/server/launch/build";
import { bootstrapFirstAdmin } from "@/server/launch/bootstrap";
import { startPortal } from "@/server/testing/portal-server";

process.env.LOG_LEVEL ??= "warn";
const root = path.resolve(import.meta.dirname, "../..");
const ROUTE_TARGET_KB = 180;
const LIST_TARGET_MS = 300;
const VCLUSTERS = 1_000;
const RUNS = 7;
const ADMIN = { email: "bench-admin@example.com", password: "bench-web-password-1" };

interface RouteChunks {
  route: string;
  chunks: string[];
}

/** Each app route's first-load chunks, as paths relative to the repository. */
async function routeChunks(): Promise<RouteChunks[]> {
  const stats = await readFile(path.join(root, ".next/diagnostics/route-bundle-stats.json"), "utf8").then(
    (text) => JSON.parse(text) as { route: string; firstLoadChunkPaths: string[] }[],
    () => null,
  );
  if (stats) return stats.map((s) => ({ route: s.route, chunks: s.firstLoadChunkPaths }));
  // Older layouts: the route's client reference manifest names its chunks; the root main files load on every page.
  const build = JSON.parse(await readFile(path.join(root, ".next/build-manifest.json"), "utf8")) as {
    rootMainFiles?: string[];
    polyfillFiles?: string[];
  };
  const routes = JSON.parse(await readFile(path.join(root, ".next/app-path-routes-manifest.json"), "utf8")) as Record<
    string,
    string
  >;
  const result: RouteChunks[] = [];
  for (const [entry, route] of Object.entries(routes)) {
    if (!entry.endsWith("/page")) continue;
    const manifest = await readFile(
      path.join(root, ".next/server/app", `${entry}_client-reference-manifest.js`),
      "utf8",
    ).catch(() => "");
    const chunks = new Set((build.rootMainFiles ?? []).map((f) => `.next/${f}`));
    for (const match of manifest.matchAll(/"\/_next\/(static\/chunks\/[^"]+\.js)"/g)) chunks.add(`.next/${match[1]}`);
    result.push({ route, chunks: [...chunks] });
  }
  return result;
}

async function firstLoadJs(): Promise<void> {
  const cache = new Map<string, { raw: number; gzip: number }>();
  const sizeOf = async (file: string) => {
    let size = cache.get(file);
    if (!size) {
      const bytes = await readFile(path.join(root, file));
      size = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      cache.set(file, size);
    }
    return size;
  };
  const routes = (await routeChunks()).sort((a, b) => a.route.localeCompare(b.route));
  console.log(`\nFirst-load JS per route (gzip, target ≤ ${ROUTE_TARGET_KB} kB):`);
  console.log(`${"route".padEnd(22)} ${"chunks".padStart(6)} ${"raw kB".padStart(9)} ${"gzip kB".padStart(9)}  target`);
  for (const { route, chunks } of routes) {
    let raw = 0;
    let gzip = 0;
    for (const chunk of chunks) {
      const size = await sizeOf(chunk);
      raw += size.raw;
      gzip += size.gzip;
    }
    const kb = gzip / 1000;
    console.log(
      `${route.padEnd(22)} ${String(chunks.length).padStart(6)} ${(raw / 1000).toFixed(1).padStart(9)} ${kb.toFixed(1).padStart(9)}  ${kb <= ROUTE_TARGET_KB ? "ok" : "OVER"}`,
    );
  }
  const all = await readdir(path.join(root, ".next/static/chunks")).catch(() => []);
  console.log(`(${cache.size} distinct chunks counted of ${all.length} in .next/static/chunks)`);
}

async function seed(databaseUrl: string): Promise<void> {
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl);
  try {
    await bootstrapFirstAdmin(db, ADMIN);
    const admin = await db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    const project = await db.project.findUniqueOrThrow({ where: { slug: "default" } });
    await db.$executeRawUnsafe(
      `INSERT INTO "VCluster" (id, name, namespace, "projectId", "ownerId", labels, "kubernetesVersion", "cpuRequestMillis", "cpuLimitMillis",
         "memoryRequestBytes", "memoryLimitBytes", spec, phase, "readyReplicas", "createdAt", "updatedAt")
       SELECT 'bench-v' || g, 'vc-' || lpad(g::text, 4, '0'), 'vc-ns-' || g, $1, $2,
         jsonb_build_object('env', (ARRAY['dev', 'staging', 'prod'])[1 + g % 3]), '1.31.1', 200, 1000, 268435456, 1073741824, '{}',
         (ARRAY['RUNNING', 'RUNNING', 'RUNNING', 'SUSPENDED', 'ERROR'])[1 + g % 5]::"VClusterPhase", 1, now() - g * interval '1 minute', now()
       FROM generate_series(0, $3 - 1) g`,
      project.id,
      admin.id,
      VCLUSTERS,
    );
  } finally {
    await db.$disconnect();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function clustersListInteractive(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "ovc-bench-web-"));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg") });
  try {
    await seed(pg.url);
    const portal = await startPortal({
      databaseUrl: pg.url,
      env: { ENGINE_IN_PROCESS: "false", EMBEDDED_HOST_CLUSTER: "false" },
    });
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({ baseURL: portal.url, viewport: { width: 1280, height: 800 } });
      // The moment the first row enters the DOM, on the page's own clock (0 = navigation start).
      await page.addInitScript(() => {
        const w = window as unknown as { __firstRowAt?: number };
        new MutationObserver((_, observer) => {
          if (document.querySelector("[data-testid=cluster-row]")) {
            w.__firstRowAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto("/signin");
      await page.getByLabel("Email").fill(ADMIN.email);
      await page.getByLabel("Password").fill(ADMIN.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByTestId("signed-in-as").waitFor();

      const rendered: number[] = [];
      const interactive: number[] = [];
      for (let run = 0; run <= RUNS; run += 1) {
        await page.goto("about:blank");
        await page.goto("/clusters", { waitUntil: "commit" });
        const row = page.getByTestId("cluster-row").first();
        await row.waitFor();
        // Clickable: visible, stable, enabled and receiving pointer events (Playwright's actionability checks, no click).
        await row.getByRole("link").first().click({ trial: true });
        const [firstRowAt, now] = await page.evaluate(
          () =>
            [(window as unknown as { __firstRowAt?: number }).__firstRowAt ?? Number.NaN, performance.now()] as const,
        );
        const total = await page.getByText(/1000 clusters/).count();
        if (run === 0) {
          if (total === 0) console.warn("warning: the list does not say 1000 clusters");
          continue; // warm-up: server caches and compiled routes
        }
        rendered.push(firstRowAt);
        interactive.push(now);
      }
      const ms = median(interactive);
      console.log(
        `\nClusters list with ${VCLUSTERS} vclusters (first page, ${RUNS} runs after a warm-up, median; target ≤ ${LIST_TARGET_MS} ms):`,
      );
      console.log(
        `  navigation → first row in the DOM: ${median(rendered).toFixed(0)} ms (min ${Math.min(...rendered).toFixed(0)}, max ${Math.max(...rendered).toFixed(0)})`,
      );
      console.log(
        `  navigation → first row clickable:  ${ms.toFixed(0)} ms (min ${Math.min(...interactive).toFixed(0)}, max ${Math.max(...interactive).toFixed(0)})  ${ms <= LIST_TARGET_MS ? "ok" : "OVER"}`,
      );
    } finally {
      await browser.close();
      await portal.stop();
    }
  } finally {
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await ensureBuild(root);
await firstLoadJs();
await clustersListInteractive();
