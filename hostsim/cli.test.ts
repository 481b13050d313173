import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseHostSimArgs, UsageError } from "./cli";

const main = path.resolve(import.meta.dirname, "main.ts");
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", main, ...args], { encoding: "utf8", timeout: 30_000 });

describe("hostsim's command line", () => {
  it("--help prints the options and exits 0 without starting a server", () => {
    const result = run("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run hostsim -- \[options\]/);
    expect(result.stdout).toContain("--kubeconfig-out VALUE");
    expect(result.stdout).not.toContain("hostsim serving");
    expect(run("-h").stdout).toBe(result.stdout);
  });

  it("an unknown option is a usage error (exit 2) naming it", () => {
    const result = run("--prot", "6443");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--prot'");
    expect(result.stderr).toContain("npm run hostsim -- --help");
  });

  it("turns the options into HostSimOptions, with the documented defaults", () => {
    expect(parseHostSimArgs([])).toEqual({
      help: false,
      options: {
        port: 6443,
        host: "127.0.0.1",
        dataDir: ".data/hostsim",
        nodes: 3,
        nodeCpu: "16",
        nodeMemory: "64Gi",
        podReadyDelayMs: 1000,
        kubernetesVersion: "v1.33.1",
      },
      kubeconfigOut: undefined,
    });
    expect(
      parseHostSimArgs(["--port", "0", "--nodes", "5", "--data", "/tmp/x", "--kubeconfig-out", "/tmp/x/k"]),
    ).toMatchObject({
      options: { port: 0, nodes: 5, dataDir: "/tmp/x" },
      kubeconfigOut: "/tmp/x/k",
    });
  });

  it("refuses numbers that are not whole numbers in range, and positional arguments", () => {
    expect(() => parseHostSimArgs(["--port", "65536"])).toThrow(
      new UsageError("--port must be a whole number from 0 to 65535, got '65536'"),
    );
    expect(() => parseHostSimArgs(["--nodes", "2.5"])).toThrow(UsageError);
    expect(() => parseHostSimArgs(["--pod-ready-delay-ms", ""])).toThrow(UsageError);
    expect(() => parseHostSimArgs(["6443"])).toThrow(UsageError);
  });
});
