import type { V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { testSpec, testTarget } from "../test-host";
import { namespaceBudget, renderHostObjects, renderNamespace, renderStatefulSet } from "./manifests";
import { deepMerge, renderValues } from "./values";

const target = testTarget("vc1", { namespace: "team-a-vc1", projectId: "p-9", vclusterId: "v-7" });

describe("host object rendering", () => {
  it("renders the chart's objects in dependency order, all in the vcluster's namespace", () => {
    const objects = renderHostObjects(target, testSpec());
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      "Namespace/team-a-vc1",
      "ResourceQuota/vc-vc1",
      "LimitRange/vc-vc1",
      "ServiceAccount/vc-vc1",
      "Role/vc-vc1",
      "RoleBinding/vc-vc1",
      "Service/vc1",
      "Service/vc1-headless",
      "StatefulSet/vc1",
    ]);
    for (const o of objects.slice(1)) expect(o.metadata?.namespace).toBe("team-a-vc1");
    expect(renderHostObjects(target, testSpec({ enableNetworkPolicies: true })).map((o) => o.kind)).toContain("NetworkPolicy");
  });

  it("labels the namespace for the portal; portal labels win over user labels", () => {
    const ns = renderNamespace(target, testSpec({ labels: { team: "a", "open-vcluster.io/project": "spoofed" } }));
    expect(ns.metadata?.labels).toEqual({ team: "a", "open-vcluster.io/project": "p-9", "open-vcluster.io/vcluster-id": "v-7", "open-vcluster.io/managed": "true" });
  });

  it("renders the control plane StatefulSet with the version as image tag, resources and persistence", () => {
    const sts = renderStatefulSet(target, testSpec({ replicas: 3, kubernetesVersion: "v1.30.4", defaultStorageClass: "ssd", persistenceSizeBytes: 10n * 2n ** 30n }));
    expect(sts.metadata?.labels).toMatchObject({ app: "vcluster", release: "vc1" });
    expect(sts.spec?.selector.matchLabels).toEqual({ app: "vcluster", release: "vc1" });
    expect(sts.spec?.template.metadata?.labels).toEqual({ app: "vcluster", release: "vc1" });
    expect(sts.spec?.replicas).toBe(3);
    const c = sts.spec?.template.spec?.containers[0];
    expect(c?.image).toBe("ghcr.io/loft-sh/kubernetes:v1.30.4");
    expect(c?.resources).toEqual({ requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } });
    expect(sts.spec?.volumeClaimTemplates).toEqual([{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, storageClassName: "ssd" } }]);
    expect(sts.spec?.template.spec?.volumes).toBeUndefined();
  });

  it("uses an emptyDir without persistence", () => {
    const sts: V1StatefulSet = renderStatefulSet(target, testSpec({ enablePersistence: false }));
    expect(sts.spec?.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec?.template.spec?.volumes).toEqual([{ name: "data", emptyDir: {} }]);
  });

  it("refuses distros recent charts do not ship", () => {
    expect(() => renderStatefulSet(target, testSpec({ distro: "k3s" }))).toThrow(/only the k8s distro/);
  });

  it("sizes the quota for the control plane plus workload headroom, with defaults below it", () => {
    const budget = namespaceBudget(testSpec({ replicas: 2, cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestBytes: 2n ** 30n, memoryLimitBytes: 2n * 2n ** 30n, enablePersistence: false }));
    expect(budget.quota).toMatchObject({ "requests.cpu": "9", "limits.cpu": "20", "requests.memory": "10Gi", "limits.memory": "20Gi", "requests.storage": "20Gi", "count/pods": "52" });
    expect(budget.limitDefault).toEqual({ cpu: "1", memory: "1Gi" });
    expect(budget.limitDefaultRequest).toEqual({ cpu: "125m", memory: "256Mi" });
  });
});

describe("values rendering", () => {
  it("merges portal-owned keys over the user's values, keeping the rest of theirs", () => {
    const values = YAML.parse(
      renderValues(testSpec({ replicas: 1, enableNetworkPolicies: true, serviceCidr: "10.96.0.0/12", helmValues: "controlPlane:\n  statefulSet:\n    highAvailability:\n      replicas: 9\n    labels: {a: b}\nplugins: {x: {image: y}}\n" })),
    ) as Record<string, Record<string, unknown>>;
    expect(values.controlPlane.statefulSet).toMatchObject({ highAvailability: { replicas: 1 }, labels: { a: "b" } });
    expect(values.plugins).toEqual({ x: { image: "y" } });
    expect(values.networking).toEqual({ serviceCIDR: "10.96.0.0/12" });
    expect(values.policies.networkPolicy).toEqual({ enabled: true });
  });

  it("renders persistence off and refuses non-mapping values", () => {
    const values = YAML.parse(renderValues(testSpec({ enablePersistence: false }))) as { controlPlane: { statefulSet: { persistence: unknown } } };
    expect(values.controlPlane.statefulSet.persistence).toEqual({ volumeClaim: { enabled: false } });
    expect(() => renderValues(testSpec({ helmValues: "- a\n- b\n" }))).toThrow(/YAML mapping/);
  });

  it("deepMerge replaces arrays and scalars, merges maps", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: { e: 1 } })).toEqual({ a: { b: 1, c: [3] }, d: { e: 1 } });
  });
});
