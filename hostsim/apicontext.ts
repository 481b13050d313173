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

/** A pod as the host runs it. */
export interface PodLocation {
  cluster: Cluster;
  ns: string;
  name: string;
}

export interface ApiContext {
  cluster: Cluster;
  version: VersionInfo;
  hub: WatchHub;
  bookmarkIntervalMs: number;
  /** A virtual cluster's: the host pod its syncer runs a virtual pod as, where the pod's log and port-forward go. */
  hostPod?: (ns: string, name: string) => PodLocation;
}

/** Where a pod's log and port-forward are served: its own cluster, or the host pod of a virtual one. */
export function podLocation(ctx: ApiContext, ns: string, name: string): PodLocation {
  return ctx.hostPod?.(ns, name) ?? { cluster: ctx.cluster, ns, name };
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
