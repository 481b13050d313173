import { describe, expect, it } from "vitest";
import { checkHelmValues, parseHelmValues } from "./helm-values";

describe("helmValues allow-list", () => {
  it("takes the listed paths with the types the chart expects", () => {
    const text = [
      "controlPlane:",
      "  statefulSet:",
      "    labels: {team: web}",
      "    pods:",
      '      annotations: {owner: "on"}',
      "  service:",
      "    annotations: {note: hello}",
      "  coredns:",
      "    deployment:",
      "      replicas: 2",
      "      resources:",
      "        requests: {cpu: 50m, memory: 64Mi}",
      "        limits: {cpu: 1, memory: 256Mi}",
      "sync:",
      "  toHost:",
      "    serviceAccounts: {enabled: true}",
      "    secrets: {all: false}",
      "  fromHost:",
      "    events: {enabled: false}",
      "    csiDrivers: {enabled: true}",
      "telemetry: {enabled: false}",
    ].join("\n");
    const result = parseHelmValues(text);
    expect(result).toMatchObject({
      ok: true,
      values: {
        controlPlane: { statefulSet: { pods: { annotations: { owner: "on" } } } },
        telemetry: { enabled: false },
      },
    });
    expect(parseHelmValues("")).toEqual({ ok: true, values: {} });
    expect(parseHelmValues("# only a comment\n")).toEqual({ ok: true, values: {} });
  });

  it.each([
    [
      "controlPlane:\n  backingStore:\n    etcd:\n      embedded:\n        enabled: true\n",
      "key controlPlane.backingStore.etcd.embedded needs a paid vCluster licence",
    ],
    [
      "controlPlane:\n  backingStore:\n    etcd:\n      deploy:\n        enabled: false\n",
      "key controlPlane.backingStore is set by the portal from spec.enableHa",
    ],
    [
      "controlPlane:\n  statefulSet:\n    resources: {}\n",
      "key controlPlane.statefulSet.resources is set by the portal from spec.resources",
    ],
    [
      "controlPlane:\n  statefulSet:\n    image: {tag: evil}\n",
      "key controlPlane.statefulSet.image is not on the allow-list",
    ],
    [
      "controlPlane:\n  statefulSet:\n    security: {containerSecurityContext: {privileged: true}}\n",
      "key controlPlane.statefulSet.security is not on the allow-list",
    ],
    [
      "controlPlane:\n  statefulSet:\n    persistence:\n      addVolumes: [{name: h, hostPath: {path: /}}]\n",
      "key controlPlane.statefulSet.persistence is set by the portal from spec.storage",
    ],
    ["rbac:\n  clusterRole: {enabled: true}\n", "key rbac is not on the allow-list"],
    ["exportKubeConfig:\n  server: https://evil\n", "key exportKubeConfig is set by the portal"],
    ["experimental: {}\n", "key experimental is not on the allow-list"],
    ["privateNodes: {enabled: true}\n", "key privateNodes is not on the allow-list"],
    ["plugins: {x: {image: y}}\n", "key plugins is set by the portal from spec.plugins"],
    ["sleep:\n  auto: true\n", "key sleep needs a paid vCluster licence"],
    ["sync:\n  toHost:\n    pods: {enabled: false}\n", "key sync.toHost.pods is set by the portal"],
    [
      "sync:\n  toHost:\n    ingresses: {enabled: true}\n",
      "key sync.toHost.ingresses is set by the portal from spec.sync.toHost.ingresses",
    ],
    [
      "sync:\n  toHost:\n    persistentVolumes: {enabled: true}\n",
      "key sync.toHost.persistentVolumes is not on the allow-list",
    ],
    [
      "sync:\n  toHost:\n    serviceAccounts: {enabled: yes please}\n",
      "key sync.toHost.serviceAccounts.enabled must be true or false",
    ],
    [
      "policies:\n  resourceQuota:\n    quota: {requests.cpu: 1000}\n",
      "key policies.resourceQuota is set by the portal from spec.resources",
    ],
    ["telemetry: {enabled: true}\n", "key telemetry.enabled may only be set to false"],
    ["networking:\n  podCIDR: 10.0.0.0/8\n", "key networking.podCIDR only takes effect with private nodes"],
    [
      "controlPlane:\n  coredns:\n    deployment: {replicas: 50}\n",
      "key controlPlane.coredns.deployment.replicas must be a whole number from 1 to 5",
    ],
    [
      "controlPlane:\n  coredns:\n    deployment:\n      resources: {limits: {cpu: lots}}\n",
      "key controlPlane.coredns.deployment.resources.limits.cpu must be a positive Kubernetes quantity",
    ],
    [
      "controlPlane:\n  statefulSet:\n    labels: {release: other}\n",
      "key controlPlane.statefulSet.labels.release is reserved",
    ],
    [
      "controlPlane:\n  statefulSet:\n    labels: {open-vcluster.io/project: other}\n",
      "key controlPlane.statefulSet.labels.open-vcluster.io/project: only names without a prefix",
    ],
    [
      "controlPlane:\n  statefulSet:\n    pods:\n      annotations: {container.apparmor.security.beta.kubernetes.io/syncer: unconfined}\n",
      "only names without a prefix may be set",
    ],
    [
      "controlPlane:\n  statefulSet:\n    pods:\n      labels: {pod-security.kubernetes.io/enforce: privileged}\n",
      "only names without a prefix may be set",
    ],
    [
      "controlPlane:\n  statefulSet:\n    labels: {team: yes}\n",
      "key controlPlane.statefulSet.labels.team must be a string, not boolean true (quote it",
    ],
    ['controlPlane:\n  statefulSet:\n    labels: {team: "has space"}\n', "label values are at most 63 characters"],
    ['controlPlane:\n  service:\n    annotations: {"bad key!": x}\n', "names must be Kubernetes qualified names"],
    ["controlPlane:\n  service: [a]\n", "key controlPlane.service must be a mapping, not a list"],
    ["controlPlane:\n  statefulSet:\n    labels: &l {a: b}\n  service:\n    labels: *l\n", "must not use anchors"],
    ["controlPlane: {}\ncontrolPlane: {}\n", "key controlPlane appears twice"],
    ["- a\n- b\n", "must be a YAML mapping"],
    ["__proto__:\n  polluted: true\n", "key __proto__ is not on the allow-list"],
    ["constructor: {}\n", "key constructor is not on the allow-list"],
  ])("refuses %j", (text, message) => {
    expect(checkHelmValues(text)).toContain(message);
  });
});
