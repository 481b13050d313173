/**
 * The real vcluster chart for tests: the packaged releases in ../shared/vcluster (beside the repository, as CI lays
 * it out). Missing means the tests cannot say anything true about a real install, so they fail rather than skip.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_CHART_VERSION, type ChartSource } from "@/server/adapters/helm/chart-source";

export const TEST_CHART_DIR = path.resolve(process.cwd(), "../shared/vcluster");

export function testChart(version = DEFAULT_CHART_VERSION): ChartSource {
  const file = path.join(TEST_CHART_DIR, `vcluster-${version}.tgz`);
  if (!fs.existsSync(file)) throw new Error(`the real vcluster chart ${file} is missing; tests need ../shared/vcluster/ beside the repository`);
  return { ref: TEST_CHART_DIR, version };
}
