import { describe, expect, it } from "vitest";
import { chooseHost, type HostCandidate } from "./scheduler";

const host = (overrides: Partial<HostCandidate>): HostCandidate => ({
  id: overrides.name ?? "h",
  name: "h",
  health: "HEALTHY",
  cordoned: false,
  labels: {},
  capacityCpuMillis: 8000,
  capacityMemoryBytes: 16n << 30n,
  maxVClusters: null,
  reservedCpuMillis: 0,
  reservedMemoryBytes: 0n,
  vclusterCount: 0,
  ...overrides,
});
const request = { cpuMillis: 1000, memoryBytes: 1n << 30n, selector: {} };

describe("scheduler", () => {
  it("places on the host with the most free CPU share", () => {
    const result = chooseHost(
      [host({ name: "a", reservedCpuMillis: 6000 }), host({ name: "b", reservedCpuMillis: 1000 })],
      request,
    );
    expect(result.ok && result.host.name).toBe("b");
  });

  it("honours the selector, cordons, health and the vcluster limit, and says why nothing fits", () => {
    const hosts = [
      host({ name: "cordoned", cordoned: true }),
      host({ name: "down", health: "UNREACHABLE" }),
      host({ name: "full", maxVClusters: 2, vclusterCount: 2 }),
      host({ name: "busy", reservedCpuMillis: 7500 }),
      host({ name: "small", capacityMemoryBytes: 512n << 20n }),
      host({ name: "eu", labels: { region: "eu" } }),
    ];
    const result = chooseHost(hosts, { ...request, selector: { region: "us" } });
    expect(result).toEqual({
      ok: false,
      reason:
        "no host cluster has room: cordoned: cordoned by an admin; down: unreachable; full: label region=us not set; busy: label region=us not set; small: label region=us not set; eu: label region=us not set",
    });
    const noSelector = chooseHost(hosts.slice(0, 5), request);
    expect(noSelector.ok).toBe(false);
    if (!noSelector.ok) {
      expect(noSelector.reason).toContain("full: holds its maximum of 2 vclusters");
      expect(noSelector.reason).toContain("busy: needs 1000m CPU, 500m free");
      expect(noSelector.reason).toContain("small: needs 1024Mi memory, 512Mi free");
    }
    expect(chooseHost(hosts, { ...request, selector: { region: "eu" } })).toMatchObject({
      ok: true,
      host: { name: "eu" },
    });
  });

  it("refuses plainly when there are no hosts", () => {
    expect(chooseHost([], request)).toEqual({
      ok: false,
      reason: "no host cluster is registered; an admin must register one",
    });
  });
});
