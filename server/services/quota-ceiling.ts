/**
 * The most quota a project's owners may give their own project (PROJECT_QUOTA_CEILING); platform admins may go
 * beyond it. Without the ceiling an owner could raise their limits without end and take a host's capacity.
 */
import { parseCpuMillis, parseMemoryBytes } from "@/server/universal/quantity";
import { invalidField } from "@/server/universal/errors";
import type { QuotaLimits } from "./quota";

export const DEFAULT_CEILING = "vclusters=100,cpu=256,memory=1Ti,storage=10Ti,snapshots=1000";

export function parseCeiling(raw = process.env.PROJECT_QUOTA_CEILING || DEFAULT_CEILING): QuotaLimits {
  const entries = new Map(raw.split(",").map((part) => part.split("=").map((s) => s.trim()) as [string, string]));
  const read = <T>(key: string, parse: (v: string) => T): T => {
    const value = entries.get(key);
    if (value === undefined) throw new Error(`PROJECT_QUOTA_CEILING: ${key}=… is missing (e.g. ${DEFAULT_CEILING})`);
    try {
      return parse(value);
    } catch {
      throw new Error(`PROJECT_QUOTA_CEILING: ${key}=${value} is not a valid amount`);
    }
  };
  const whole = (v: string) => {
    if (!/^\d+$/.test(v)) throw new Error("not a whole number");
    return Number(v);
  };
  return {
    maxVClusters: read("vclusters", whole),
    maxCpuMillis: read("cpu", parseCpuMillis),
    maxMemoryBytes: read("memory", parseMemoryBytes),
    maxStorageBytes: read("storage", parseMemoryBytes),
    maxSnapshots: read("snapshots", whole),
  };
}

/** Refuses, naming the field, a limit above the ceiling that is not the admins' to set. */
export function checkCeiling(limits: QuotaLimits, isPlatformAdmin: boolean, ceiling = parseCeiling()): void {
  if (isPlatformAdmin) return;
  for (const field of Object.keys(ceiling) as (keyof QuotaLimits)[]) {
    if (BigInt(limits[field]) > BigInt(ceiling[field])) {
      throw invalidField(
        field,
        `may be at most ${String(ceiling[field])} for a project (the platform's ceiling, PROJECT_QUOTA_CEILING); ask a platform admin for more`,
      );
    }
  }
}
