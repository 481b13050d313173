/**
 * The real vcluster chart for tests: a directory of packaged releases (`vcluster-<version>.tgz`), VCLUSTER_CHART when
 * set, else ../shared/vcluster beside the repository as CI lays it out. Missing means the tests cannot say anything
 * true about a real install, so they fail rather than skip.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_CHART_VERSION, type ChartSource } from "@/server/adapters/helm/chart-source";

export function testChartDir(): string {
  return path.resolve(process.env.VCLUSTER_CHART ?? path.join(process.cwd(), "../shared/vcluster"));
}

export function testChart(version = DEFAULT_CHART_VERSION): ChartSource {
  const dir = testChartDir();
  const file = path.join(dir, `vcluster-${version}.tgz`);
  if (!fs.existsSync(file))
    throw new Error(
      `the real vcluster chart ${file} is missing; set VCLUSTER_CHART to a directory of packaged vcluster charts (CI uses ../shared/vcluster/)`,
    );
  return { ref: dir, version };
}
