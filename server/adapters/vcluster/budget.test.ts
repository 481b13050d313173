import { describe, expect, it } from "vitest";
import { testSpec, testTarget } from "@/server/testing/test-host";
import { dataVolumes, namespaceBudget } from "./budget";
import { renderNamespace } from "./namespace";

describe("namespace budget", () => {
  it("sizes the quota for the control plane plus workload headroom, with defaults below it", () => {
    const budget = namespaceBudget(
      testSpec({
        replicas: 2,
        enableHa: true,
        cpuRequestMillis: 500,
        cpuLimitMillis: 2000,
        memoryRequestBytes: 2n ** 30n,
        memoryLimitBytes: 2n * 2n ** 30n,
        enablePersistence: false,
      }),
    );
    expect(budget.quota).toMatchObject({
      "requests.cpu": "9",
      "limits.cpu": "20",
      "requests.memory": "10Gi",
      "limits.memory": "20Gi",
      "requests.storage": "20Gi",
      "count/pods": "55",
    });
    expect(budget.limitDefault).toEqual({ cpu: "1", memory: "1Gi" });
    expect(budget.limitDefaultRequest).toEqual({ cpu: "125m", memory: "256Mi" });
  });

  it("counts the deployed etcd's pods and volumes when several replicas share it", () => {
    const spec = testSpec({
      replicas: 2,
      enableHa: true,
      enablePersistence: true,
      persistenceSizeBytes: 10n * 2n ** 30n,
    });
    expect(dataVolumes(spec)).toBe(3);
    expect(namespaceBudget(spec).quota).toMatchObject({
      "requests.storage": "50Gi",
      "count/pods": "55",
      "count/persistentvolumeclaims": "23",
    });
    expect(dataVolumes(testSpec({ enablePersistence: false }))).toBe(0);
    expect(dataVolumes(testSpec({ enablePersistence: true }))).toBe(1);
  });
});

describe("namespace", () => {
  it("labels the namespace for the portal; portal labels win over user labels", () => {
    const target = testTarget("vc1", { namespace: "team-a-vc1", projectId: "p-9", vclusterId: "v-7" });
    const ns = renderNamespace(
      target,
      testSpec({ labels: { team: "a", "open-vcluster.io/project": "spoofed" } }),
      "baseline",
    );
    expect(ns.metadata?.labels).toMatchObject({
      team: "a",
      "open-vcluster.io/project": "p-9",
      "open-vcluster.io/vcluster-id": "v-7",
      "open-vcluster.io/managed": "true",
    });
  });

  it("lets only unprefixed tenant labels reach the host, and sets Pod Security from the host's level", () => {
    const target = testTarget("vc1", { namespace: "team-a-vc1" });
    const attack = {
      team: "a",
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/enforce-version": "v1.0",
      "kubernetes.io/metadata.name": "kube-system",
      "example.com/owner": "x",
    };
    const labels = renderNamespace(target, testSpec({ labels: attack }), "baseline").metadata?.labels ?? {};
    expect(labels).toMatchObject({
      team: "a",
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/audit": "baseline",
      "pod-security.kubernetes.io/warn": "baseline",
    });
    expect(labels).not.toHaveProperty("kubernetes.io/metadata.name");
    expect(labels).not.toHaveProperty("example.com/owner");
    expect(
      renderNamespace(target, testSpec({}), "restricted").metadata?.labels?.["pod-security.kubernetes.io/enforce"],
    ).toBe("restricted");
  });
});
