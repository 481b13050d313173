/**
 * `npm test`: builds the portal if needed (the HTTP suites run the production build), runs every suite — vitest,
 * then the Playwright browser suite (e2e/) — and ends with one line `N passed, N failed[, N skipped]` over all of
 * them. Exit status 0 only when nothing failed.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_CHART_VERSION } from "@/server/adapters/helm/chart-source";
import { ensureBuild, run } from "./build";

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
  testResults: {
    name: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

/** The parts of Playwright's JSON report we count. */
interface PlaywrightJson {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  errors: unknown[];
}

const root = process.cwd();
const outDir = path.join(root, ".test-data");

/**
 * One `FAILED <file> › <test>: <first line of the error>` line per failure, so the end of a long log (all CI
 * keeps) names what broke; a file that failed to load is named with its own error.
 */
function failureLines(result: VitestJson, root: string): string[] {
  const firstLine = (text: string | undefined) =>
    (text ?? "")
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim()
      .slice(0, 300) ?? "";
  return result.testResults.flatMap((file) => {
    const name = path.relative(root, file.name);
    const failures = file.assertionResults.filter((test) => test.status === "failed");
    if (failures.length === 0 && file.message) return [`FAILED ${name}: ${firstLine(file.message)}`];
    return failures.map((test) => `FAILED ${name} › ${test.fullName}: ${firstLine(test.failureMessages[0])}`);
  });
}

/** Every suite installs the real chart: from VCLUSTER_CHART, else the packaged releases in ../shared/vcluster. */
function selectTestChart(): void {
  const dir = path.resolve(process.env.VCLUSTER_CHART ?? path.join(root, "../shared/vcluster"));
  const file = path.join(dir, `vcluster-${DEFAULT_CHART_VERSION}.tgz`);
  if (!existsSync(file))
    throw new Error(
      `the real vcluster chart ${file} is missing: set VCLUSTER_CHART to a directory holding vcluster-${DEFAULT_CHART_VERSION}.tgz (CI uses ../shared/vcluster/)`,
    );
  process.env.VCLUSTER_CHART = dir;
}

async function main(): Promise<number> {
  selectTestChart();
  await ensureBuild(root);
  await mkdir(outDir, { recursive: true });
  const report = path.join(outDir, "vitest.json");
  const vitestFailed = await run(
    process.execPath,
    [
      path.join(root, "node_modules/vitest/vitest.mjs"),
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...process.argv.slice(2),
    ],
    { cwd: root },
  ).then(
    () => false,
    () => true,
  );
  const result = JSON.parse(await readFile(report, "utf8")) as VitestJson;
  // A file that fails to load has no tests to count, but it is a failure all the same.
  const failed =
    result.numFailedTests +
    (result.numFailedTests === 0 && result.numFailedTestSuites > 0 ? result.numFailedTestSuites : 0);
  const skipped = result.numPendingTests + result.numTodoTests;

  const e2eReport = path.join(outDir, "playwright.json");
  await rm(e2eReport, { force: true });
  const e2eFailed = await run(process.execPath, [path.join(root, "node_modules/@playwright/test/cli.js"), "test"], {
    cwd: root,
  }).then(
    () => false,
    () => true,
  );
  // No report at all (Playwright itself failed to start) counts as one failure, like a global setup that fails.
  const e2e = await readFile(e2eReport, "utf8").then(
    (text) => JSON.parse(text) as PlaywrightJson,
    (): PlaywrightJson => ({
      stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 },
      errors: ["no Playwright report"],
    }),
  );
  const e2eFailures =
    e2e.stats.unexpected + (e2e.stats.unexpected === 0 && e2e.errors.length > 0 ? e2e.errors.length : 0);
  const passed = result.numPassedTests + e2e.stats.expected + e2e.stats.flaky;
  const allFailed = failed + e2eFailures;
  const allSkipped = skipped + e2e.stats.skipped;
  for (const line of failureLines(result, root)) console.log(line);
  console.log(`${passed} passed, ${allFailed} failed${allSkipped ? `, ${allSkipped} skipped` : ""}`);
  return vitestFailed || e2eFailed || allFailed > 0 ? 1 : 0;
}

process.exit(await main());
