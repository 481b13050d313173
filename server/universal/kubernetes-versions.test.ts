import { describe, expect, it } from "vitest";
import { DEFAULT_CHART_VERSION } from "@/server/adapters/helm/chart-source";
import {
  checkKubernetesVersion,
  DEFAULT_KUBERNETES_VERSION,
  imageTagFor,
  KUBERNETES_VERSIONS_BY_CHART,
  SUPPORTED_KUBERNETES_VERSIONS,
} from "./kubernetes-versions";

describe("Kubernetes versions per chart release", () => {
  it("offers the default pinned release's versions, newest first, defaulting to its chart default", () => {
    expect(KUBERNETES_VERSIONS_BY_CHART[DEFAULT_CHART_VERSION]).toBe(SUPPORTED_KUBERNETES_VERSIONS);
    expect(SUPPORTED_KUBERNETES_VERSIONS).toEqual([
      "1.36.0",
      "1.35.0",
      "1.34.0",
      "1.33.4",
      "1.32.1",
      "1.31.1",
      "1.30.2",
    ]);
    expect(DEFAULT_KUBERNETES_VERSION).toBe("1.36.0");
  });

  it("refuses a version the target release does not ship, naming the field, the version and the release", () => {
    expect(() => checkKubernetesVersion("1.34.0", "0.30.0")).not.toThrow();
    expect(() => checkKubernetesVersion("1.35.0", "0.30.0")).toThrow(
      "spec.kubernetesVersion: Kubernetes 1.35.0 is not supported by vcluster chart 0.30.0; it supports 1.34.0, 1.33.4, 1.32.1, 1.31.1, 1.30.2",
    );
    expect(() => checkKubernetesVersion("1.33.1", "0.36.1")).toThrow(
      /1\.33\.1 is not supported by vcluster chart 0\.36\.1/,
    );
    expect(() => checkKubernetesVersion("1.34.0", "0.31.0")).toThrow(
      /chart version 0\.31\.0 is not in the portal's Kubernetes version table/,
    );
  });

  it("maps older patches of stored rows to the release's image of the same minor, and refuses missing minors", () => {
    expect(["1.33.1", "1.32.2", "1.31.1", "1.30.4"].map((v) => imageTagFor(v, "0.36.1"))).toEqual([
      "v1.33.4",
      "v1.32.1",
      "v1.31.1",
      "v1.30.2",
    ]);
    expect(imageTagFor("v1.34.0", "0.30.0")).toBe("v1.34.0");
    expect(() => imageTagFor("1.29.0", "0.36.1")).toThrow(
      /spec\.kubernetesVersion: Kubernetes 1\.29\.0 is not supported by vcluster chart 0\.36\.1/,
    );
  });
});
