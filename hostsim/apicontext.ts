import type { Cluster } from "./cluster";
import { apiVersionOf, type ResourceType } from "./registry";
import type { KObject } from "./types";
import type { WatchHub } from "./watch";

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(gitVersion: string): VersionInfo {
  const m = /^v?(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "0",
    gitVersion: gitVersion.startsWith("v") ? gitVersion : `v${gitVersion}`,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2025-01-01T00:00:00Z",
    goVersion: "go1.23.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export interface ApiContext {
  cluster: Cluster;
  version: VersionInfo;
  hub: WatchHub;
  bookmarkIntervalMs: number;
}

/** The resource a request addresses, resolved from its path. */
export interface Target {
  rt: ResourceType;
  ns?: string;
  name?: string;
  sub?: string;
  legacyWatch: boolean;
}

export function withVersion(rt: ResourceType, o: KObject): KObject {
  const v = apiVersionOf(rt);
  return o.apiVersion === v ? o : { ...o, apiVersion: v };
}
