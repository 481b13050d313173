import path from "node:path";
import { describe, expect, it } from "vitest";
import { chartForHost, chartFromEnv, compareChartVersions, parseChartSource } from "./chart-source";

const fields = { ref: "VCLUSTER_CHART", version: "VCLUSTER_CHART_VERSION" };

describe("chart settings", () => {
  it("defaults to the vcluster repository at 0.36.1", () => {
    expect(chartFromEnv({})).toEqual({ ref: "https://charts.loft.sh", version: "0.36.1" });
  });

  it("takes repositories, oci references and local paths (resolved)", () => {
    expect(parseChartSource("oci://ghcr.io/loft-sh/charts/vcluster", "0.30.0", fields)).toEqual({
      ref: "oci://ghcr.io/loft-sh/charts/vcluster",
      version: "0.30.0",
    });
    expect(parseChartSource("charts/vcluster-0.36.1.tgz", "0.36.1", fields).ref).toBe(
      path.resolve("charts/vcluster-0.36.1.tgz"),
    );
  });

  it("refuses, naming the setting and the rule", () => {
    expect(() => parseChartSource("", "0.36.1", fields)).toThrow(/VCLUSTER_CHART: must name a chart/);
    expect(() => parseChartSource("https://charts.loft.sh", "v0.36.1", fields)).toThrow(
      /VCLUSTER_CHART_VERSION: must be a chart version like 0.36.1/,
    );
    expect(() => parseChartSource("https://user:pw@mirror.example/charts", "0.36.1", fields)).toThrow(
      /must not carry credentials/,
    );
    expect(() => parseChartSource("ftp://mirror.example/charts", "0.36.1", fields)).toThrow(
      /supports only local paths, oci:\/\/ and http\(s\):\/\//,
    );
  });

  it("a host's own settings win over the portal's, each on its own", () => {
    const portal = { ref: "https://charts.loft.sh", version: "0.36.1" };
    expect(chartForHost({ chartRef: null, chartVersion: null }, portal)).toBe(portal);
    expect(chartForHost({ chartRef: null, chartVersion: "0.30.0" }, portal)).toEqual({
      ref: "https://charts.loft.sh",
      version: "0.30.0",
    });
    expect(chartForHost({ chartRef: "https://mirror.internal/charts", chartVersion: null }, portal)).toEqual({
      ref: "https://mirror.internal/charts",
      version: "0.36.1",
    });
  });

  it("orders releases by their numbers", () => {
    expect(compareChartVersions("0.30.0", "0.36.1")).toBeLessThan(0);
    expect(compareChartVersions("0.36.1", "0.36.1")).toBe(0);
    expect(compareChartVersions("1.0.0", "0.36.1")).toBeGreaterThan(0);
  });
});
