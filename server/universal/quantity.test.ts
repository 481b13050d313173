import { describe, expect, it } from "vitest";
import { formatCpuMillis, formatMemoryBytes, parseCpuMillis, parseMemoryBytes } from "./quantity";

describe("quantities", () => {
  it("parses CPU into millicores, rounding up", () => {
    expect(parseCpuMillis("250m")).toBe(250);
    expect(parseCpuMillis("2")).toBe(2000);
    expect(parseCpuMillis("0.5")).toBe(500);
    expect(parseCpuMillis(".1")).toBe(100);
    expect(parseCpuMillis("1.0005")).toBe(1001);
    expect(parseCpuMillis("100u")).toBe(1);
    expect(parseCpuMillis("2e3")).toBe(2_000_000);
    expect(parseCpuMillis(4)).toBe(4000);
  });

  it("parses memory into exact bytes", () => {
    expect(parseMemoryBytes("512Mi")).toBe(536_870_912n);
    expect(parseMemoryBytes("1.5Gi")).toBe(1_610_612_736n);
    expect(parseMemoryBytes("1G")).toBe(1_000_000_000n);
    expect(parseMemoryBytes("64Ei")).toBe(64n * 2n ** 60n);
    expect(parseMemoryBytes("1e9")).toBe(1_000_000_000n);
    expect(parseMemoryBytes("128974848")).toBe(128_974_848n);
    expect(parseMemoryBytes("129e6")).toBe(129_000_000n);
    expect(parseMemoryBytes("500m")).toBe(1n);
  });

  it("rejects what is not a quantity", () => {
    for (const bad of ["", "abc", "1.2.3", "5 Gi", "1Gb", "--1", "."])
      expect(() => parseMemoryBytes(bad)).toThrow(/not a Kubernetes quantity/);
  });

  it("formats exactly and round-trips", () => {
    expect(formatCpuMillis(1500)).toBe("1500m");
    expect(formatCpuMillis(2000)).toBe("2");
    expect(formatMemoryBytes(2n ** 30n)).toBe("1Gi");
    expect(formatMemoryBytes(1536n * 2n ** 20n)).toBe("1536Mi");
    expect(formatMemoryBytes(1000n)).toBe("1000");
    expect(formatMemoryBytes(0n)).toBe("0");
    for (const q of ["5Gi", "300Mi", "7Ki", "12345"]) expect(formatMemoryBytes(parseMemoryBytes(q))).toBe(q);
  });
});
