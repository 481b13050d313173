import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHostClients } from "@/server/adapters/kubernetes/host-client";
import { createHelmRelease, helmFailure, helmMessage, resolveChart } from "./helm-release";

const run = (stderr: string) => ({ code: 1, stdout: "", stderr });

describe("helm's failures, translated once", () => {
  it("keeps helm's last lines, without key material or tokens", () => {
    const cert = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----";
    const message = helmMessage(
      `Error: something\nbearer abcdef123456 in ${cert}\ntoken: s3cr3t-value and ${"A".repeat(48)}`,
    );
    expect(message).not.toContain("MIIBszCC");
    expect(message).not.toContain("abcdef123456");
    expect(message).not.toContain("s3cr3t-value");
    expect(message).not.toContain("A".repeat(48));
    expect(message).toContain("[redacted]");
  });

  it("names the chart when it cannot be fetched, the values when the chart refuses them, the host when it is down", () => {
    expect(
      helmFailure(
        "upgrade --install",
        "h",
        "https://mirror.example/charts 0.36.1",
        run('Error: looks like "https://mirror.example/charts" is not a valid chart repository or cannot be reached'),
      ),
    ).toMatchObject({
      code: "NOT_AVAILABLE",
      message: expect.stringContaining("the vcluster chart https://mirror.example/charts 0.36.1 could not be fetched"),
    });
    expect(
      helmFailure(
        "upgrade --install",
        "h",
        "c",
        run(
          "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nvcluster:\n- controlPlane: Additional property nope is not allowed",
        ),
      ),
    ).toMatchObject({
      code: "INVALID",
      message: expect.stringContaining("refused the values"),
    });
    expect(
      helmFailure(
        "upgrade --install",
        "h",
        "c",
        run(
          'Error: Kubernetes cluster unreachable: Get "https://10.0.0.1:6443/version": dial tcp 10.0.0.1:6443: connect: connection refused',
        ),
      ),
    ).toMatchObject({ code: "UNAVAILABLE" });
    expect(
      helmFailure(
        "upgrade --install",
        "h",
        "c",
        run(
          "Error: UPGRADE FAILED: the server is currently unable to handle the request (get secrets sh.helm.release.v1.x.v1)",
        ),
      ),
    ).toMatchObject({ code: "UNAVAILABLE" });
    expect(
      helmFailure(
        "upgrade --install",
        "h",
        "c",
        run("Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress"),
      ),
    ).toMatchObject({ code: "CONFLICT" });
    expect(
      helmFailure("upgrade --install", "h", "c", run("Error: UPGRADE FAILED: release: already exists")),
    ).toMatchObject({ code: "CONFLICT" });
  });

  it("takes vcluster-<version>.tgz from a directory of packaged releases, and says when it is not there", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "charts-"));
    fs.writeFileSync(path.join(dir, "vcluster-0.36.1.tgz"), "");
    expect(resolveChart({ ref: dir, version: "0.36.1" }, "0.36.1").args).toEqual([
      path.join(dir, "vcluster-0.36.1.tgz"),
    ]);
    expect(() => resolveChart({ ref: dir, version: "0.36.1" }, "0.35.0")).toThrow(/has no vcluster-0.35.0.tgz/);
    expect(resolveChart({ ref: "https://charts.loft.sh", version: "0.36.1" }, "0.30.0").args).toEqual([
      "vcluster",
      "--repo",
      "https://charts.loft.sh",
      "--version",
      "0.30.0",
    ]);
    expect(resolveChart({ ref: "oci://ghcr.io/loft-sh/charts/vcluster", version: "0.36.1" }, "0.36.1").args).toEqual([
      "oci://ghcr.io/loft-sh/charts/vcluster",
      "--version",
      "0.36.1",
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("helm runs that fail for a transient host error", () => {
  /** A stand-in helm that prints `stderr[n]` and exits 1 on its n-th run, then succeeds; the run count is in a file. */
  function fakeHelm(stderr: string[]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-helm-"));
    const count = path.join(dir, "runs");
    fs.writeFileSync(count, "0");
    const lines = stderr.map((line, i) => `[ "$n" = "${i + 1}" ] && { echo '${line}' >&2; exit 1; }`).join("\n");
    const bin = path.join(dir, "helm");
    fs.writeFileSync(bin, `#!/bin/sh\nn=$(($(cat "${count}") + 1))\necho "$n" > "${count}"\n${lines}\nexit 0\n`, {
      mode: 0o755,
    });
    return {
      bin,
      runs: () => Number(fs.readFileSync(count, "utf8")),
      cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: h, cluster: {server: 'https://127.0.0.1:1'}}]",
    "users: [{name: u, user: {token: t}}]",
    "contexts: [{name: c, context: {cluster: h, user: u}}]",
    "current-context: c",
  ].join("\n");
  const target = { vclusterId: "id-a", projectId: "p", name: "a", namespace: "vc-a" };
  const retry = { tries: 3, baseMs: 1, capMs: 2, maxRetryAfterMs: 2, budgetMs: 10_000 };
  const release = (bin: string) =>
    createHelmRelease(createHostClients(kubeconfig, { hostName: "h" }), kubeconfig, {
      chart: { ref: "https://charts.loft.sh", version: "0.36.1" },
      bin,
      retry,
    });

  it("runs again after the host was unavailable, until it succeeds", async () => {
    const helm = fakeHelm([
      "Error: uninstallation completed with 1 error(s): the server is currently unable to handle the request (delete services a)",
      'Error: Get "https://h/api": net/http: TLS handshake timeout',
    ]);
    await release(helm.bin).uninstall(target);
    expect(helm.runs()).toBe(3);
    helm.cleanup();
  });

  it("gives up after its tries, and never reruns over another helm's release in progress", async () => {
    const down =
      "Error: the server was unable to return a response in the time allotted, but may still be processing the request (get secrets)";
    const helm = fakeHelm([down, down, down, down]);
    await expect(release(helm.bin).uninstall(target)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("tried 3 times"),
    });
    expect(helm.runs()).toBe(3);
    helm.cleanup();

    const busy = fakeHelm(["Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress"]);
    await expect(release(busy.bin).uninstall(target)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(busy.runs()).toBe(1);
    busy.cleanup();
  });
});
