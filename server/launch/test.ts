/**
 * `npm test`: builds the portal if needed (the HTTP suites run the production build), runs every suite, and ends
 * with one line `N passed, N failed[, N skipped]` over all of them. Exit status 0 only when nothing failed.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ensureBuild, run } from "./build";

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
}

const root = process.cwd();
const outDir = path.join(root, ".test-data");

async function main(): Promise<number> {
  await ensureBuild(root);
  await mkdir(outDir, { recursive: true });
  const report = path.join(outDir, "vitest.json");
  const vitestFailed = await run(process.execPath, [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)], { cwd: root }).then(
    () => false,
    () => true,
  );
  const result = JSON.parse(await readFile(report, "utf8")) as VitestJson;
  // A file that fails to load has no tests to count, but it is a failure all the same.
  const failed = result.numFailedTests + (result.numFailedTests === 0 && result.numFailedTestSuites > 0 ? result.numFailedTestSuites : 0);
  const skipped = result.numPendingTests + result.numTodoTests;
  console.log(`${result.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  return vitestFailed || failed > 0 ? 1 : 0;
}

process.exit(await main());
