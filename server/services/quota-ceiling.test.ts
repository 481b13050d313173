import { describe, expect, it } from "vitest";
import { checkCeiling, parseCeiling } from "./quota-ceiling";

const ceiling = parseCeiling("vclusters=10,cpu=16,memory=64Gi,storage=1Ti,snapshots=50");
const within = {
  maxVClusters: 10,
  maxCpuMillis: 16_000,
  maxMemoryBytes: 64n << 30n,
  maxStorageBytes: 1n << 40n,
  maxSnapshots: 50,
};

describe("the platform's quota ceiling", () => {
  it("lets owners set up to it, admins beyond it, and names the field it stops", () => {
    expect(() => checkCeiling(within, false, ceiling)).not.toThrow();
    expect(() => checkCeiling({ ...within, maxMemoryBytes: 65n << 30n }, false, ceiling)).toThrow(/ceiling/);
    try {
      checkCeiling({ ...within, maxVClusters: 11 }, false, ceiling);
    } catch (error) {
      expect(error).toMatchObject({ code: "INVALID", issues: [{ field: "maxVClusters" }] });
    }
    expect(() => checkCeiling({ ...within, maxCpuMillis: 1_000_000 }, true, ceiling)).not.toThrow();
  });

  it("refuses a ceiling setting it cannot read", () => {
    expect(() => parseCeiling("vclusters=10")).toThrow(/cpu=… is missing/);
    expect(() => parseCeiling("vclusters=ten,cpu=1,memory=1Gi,storage=1Gi,snapshots=1")).toThrow(/vclusters=ten/);
  });
});
