import { describe, expect, it } from "vitest";
import { annotationsSchema, labelsSchema, MAX_ANNOTATIONS, MAX_LABELS, specSchema } from "./vcluster-spec";

const messages = (input: unknown) => {
  const result = specSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("spec schema", () => {
  it("defaults to the default chart's Kubernetes version and a single SQLite-backed replica", () => {
    expect(specSchema.parse({})).toMatchObject({
      kubernetesVersion: "1.36.0",
      replicas: 1,
      enableHa: false,
      plugins: [],
      ingress: { enabled: false },
    });
  });

  it.each([
    [
      { kubernetesVersion: "1.33.1" },
      "kubernetesVersion: kubernetesVersion must be one of 1.36.0, 1.35.0, 1.34.0, 1.33.4, 1.32.1, 1.31.1, 1.30.2",
    ],
    [
      { network: { podCidr: "10.244.0.0/16" } },
      "network.podCidr: podCidr cannot be set: pods use the host's pod network",
    ],
    [{ replicas: 2 }, "replicas: more than 1 replica needs enableHa"],
    [{ enableHa: true, replicas: 1 }, "replicas: high availability runs 2 to 5 control plane replicas (3 by default)"],
    [
      { plugins: [{ name: "p", image: "ghcr.io/x/p:1\n  command: [sh]" }] },
      "plugins.0.image: plugin image must be an image reference",
    ],
    [
      {
        plugins: [
          { name: "p", image: "a:1" },
          { name: "p", image: "b:1" },
        ],
      },
      "plugins: plugin names must be unique",
    ],
    [
      { ingress: { enabled: false, host: "vc.example.com" } },
      "ingress.host: ingress.host takes effect only with ingress.enabled",
    ],
    [{ ingress: { enabled: true } }, "ingress.host: ingress.host is required when the ingress is enabled"],
    [
      { network: { dns: { clusterDomain: "Cluster Local" } } },
      "network.dns.clusterDomain: clusterDomain must be a DNS name",
    ],
    [
      { helmValues: "controlPlane:\n  distro: {k8s: {image: {tag: v9}}}\n" },
      "helmValues: key controlPlane.distro is set by the portal from spec.distro and spec.kubernetesVersion",
    ],
  ])("refuses %j naming the field and the rule", (input, message) => {
    expect(messages(input).join("\n")).toContain(message);
  });

  it("takes a plugin image by tag or digest, with a registry port", () => {
    const digest = `@sha256:${"a".repeat(64)}`;
    expect(
      messages({
        plugins: [
          { name: "p", image: `registry.example.com:5000/team/plugin:1.2.3${digest}` },
          { name: "q", image: "plugin" },
        ],
      }),
    ).toEqual([]);
  });
});

describe("labels and annotations", () => {
  it("are bounded in number and size, so one create cannot carry megabytes", () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, "v"]));
    expect(labelsSchema.safeParse(many).error?.issues[0]?.message).toBe(`at most ${MAX_LABELS} labels`);
    expect(annotationsSchema.safeParse(many).error?.issues[0]?.message).toBe(`at most ${MAX_ANNOTATIONS} annotations`);
    const heavy = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "x".repeat(4096)]));
    expect(annotationsSchema.safeParse(heavy).success).toBe(true);
    const over = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`key-${"k".repeat(200)}-${i}`, "x".repeat(4096)]),
    );
    expect(annotationsSchema.safeParse(over).error?.issues[0]?.message).toContain("bytes in all");
  });
});
