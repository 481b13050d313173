/**
 * Each spec field, shown by its effect on what the real chart renders (`helm template` on vcluster 0.36.1, and the
 * default spec on 0.30.0). Each values file is rendered once, in beforeAll; the tests read the objects.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { helmTemplate, type Rendered, type RenderedObject } from "@/server/testing/helm-template";
import { testSpec } from "@/server/testing/test-host";
import { renderValues } from "./values";

interface Container {
  name: string;
  image: string;
  args?: string[];
  resources?: unknown;
}
interface PodSpec {
  containers: Container[];
  initContainers: Container[];
  volumes: { name: string; emptyDir?: object }[];
}
interface Workload {
  replicas: number;
  template: { spec: PodSpec };
  volumeClaimTemplates?: { spec: { storageClassName?: string; resources: { requests: { storage: string } } } }[];
}

const workload = (o: RenderedObject) => o.spec as unknown as Workload;
const at = (config: Record<string, unknown>, path: string): unknown =>
  path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], config);

const GiB = 2n ** 30n;

/** every field away from its default, on the non-HA path */
const rich = testSpec({
  kubernetesVersion: "1.35.0",
  cpuRequestMillis: 300,
  cpuLimitMillis: 1500,
  memoryRequestBytes: 512n * 2n ** 20n,
  memoryLimitBytes: 2n * GiB,
  enablePersistence: true,
  persistenceSizeBytes: 7n * GiB,
  defaultStorageClass: "fast",
  serviceCidr: "10.96.0.0/12",
  enableNetworkPolicies: true,
  clusterDomain: "corp.internal",
  sync: {
    toHost: { ingresses: true, persistentVolumeClaims: false },
    fromHost: { nodes: true, storageClasses: false },
  },
  plugins: [{ name: "hooks", image: "ghcr.io/acme/hooks:1.2" }],
  ingress: { enabled: true, host: "vc1.example.com", ingressClassName: "nginx" },
  helmValues: "controlPlane:\n  statefulSet:\n    labels:\n      team: web\n",
});
const ha = testSpec({
  replicas: 3,
  enableHa: true,
  enablePersistence: true,
  persistenceSizeBytes: 6n * GiB,
  defaultStorageClass: "ssd",
});
const ephemeral = testSpec({ enablePersistence: false, persistenceSizeBytes: null });

let r: { rich: Rendered; ha: Rendered; ephemeral: Rendered; old: Rendered };
beforeAll(() => {
  r = {
    rich: helmTemplate(renderValues(rich, { chartVersion: "0.36.1" })),
    ha: helmTemplate(renderValues(ha, { chartVersion: "0.36.1" })),
    ephemeral: helmTemplate(renderValues(ephemeral, { chartVersion: "0.36.1" })),
    old: helmTemplate(renderValues(testSpec(), { chartVersion: "0.30.0" }), { chartVersion: "0.30.0" }),
  };
});

describe("spec fields in the chart's output (vcluster 0.36.1)", () => {
  it("kubernetesVersion: the init container copies the Kubernetes binaries of that image tag", () => {
    const init = workload(r.rich.get("StatefulSet", "vc1")).template.spec.initContainers.find(
      (c) => c.name === "kubernetes",
    );
    expect(init?.image).toBe("ghcr.io/loft-sh/kubernetes:v1.35.0");
  });

  it("resources: the syncer container's requests and limits", () => {
    const syncer = workload(r.rich.get("StatefulSet", "vc1")).template.spec.containers.find((c) => c.name === "syncer");
    expect(syncer?.resources).toMatchObject({
      requests: { cpu: "300m", memory: "512Mi" },
      limits: { cpu: "1500m", memory: "2Gi" },
    });
  });

  it("resources: the namespace's ResourceQuota and LimitRange are sized from them", () => {
    expect(r.rich.get("ResourceQuota", "vc-vc1").spec).toMatchObject({
      hard: { "requests.cpu": "6300m", "limits.cpu": "13500m", "requests.storage": "27Gi", "count/pods": "51" },
    });
    expect(r.rich.get("LimitRange", "vc-vc1").spec).toMatchObject({
      limits: [
        { type: "Container", default: { cpu: "750m", memory: "1Gi" }, defaultRequest: { cpu: "75m", memory: "128Mi" } },
      ],
    });
  });

  it("enablePersistence, persistenceSize, defaultStorageClass: a StatefulSet with a volume claim template of that size and class", () => {
    expect(workload(r.rich.get("StatefulSet", "vc1")).volumeClaimTemplates).toEqual([
      {
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "fast", resources: { requests: { storage: "7Gi" } } },
      },
    ]);
  });

  it("enablePersistence false: a Deployment whose data is an emptyDir (the state does not outlive the pod)", () => {
    expect(r.ephemeral.objects.some((o) => o.kind === "StatefulSet")).toBe(false);
    const plane = workload(r.ephemeral.get("Deployment", "vc1"));
    expect(plane.template.spec.volumes).toContainEqual({ name: "data", emptyDir: {} });
    expect(at(r.ephemeral.config(), "controlPlane.statefulSet.persistence.volumeClaim.enabled")).toBe(false);
  });

  it("replicas and enableHa: that many control planes, sharing a 3-member deployed etcd that holds the volumes", () => {
    expect(workload(r.ha.get("Deployment", "vc1")).replicas).toBe(3);
    const etcd = workload(r.ha.get("StatefulSet", "vc1-etcd"));
    expect(etcd.replicas).toBe(3);
    expect(etcd.volumeClaimTemplates?.[0].spec).toMatchObject({
      storageClassName: "ssd",
      resources: { requests: { storage: "6Gi" } },
    });
    const config = r.ha.config();
    expect(at(config, "controlPlane.backingStore.etcd.deploy.enabled")).toBe(true);
    expect(at(config, "controlPlane.backingStore.database.embedded.enabled")).toBe(false);
    expect(r.ha.get("ResourceQuota", "vc-vc1").spec).toMatchObject({
      hard: { "requests.storage": "38Gi", "count/persistentvolumeclaims": "23" },
    });
  });

  it("enableNetworkPolicies: the chart's NetworkPolicies isolate the namespace", () => {
    const policies = r.rich.objects.filter((o) => o.kind === "NetworkPolicy").map((o) => o.metadata?.name);
    expect(policies).toEqual(expect.arrayContaining(["vc-work-vc1", "vc-cp-vc1"]));
    expect(r.ephemeral.objects.some((o) => o.kind === "NetworkPolicy")).toBe(false);
  });

  it("serviceCidr: the syncer's networking.serviceCIDR", () => {
    expect(at(r.rich.config(), "networking.serviceCIDR")).toBe("10.96.0.0/12");
  });

  it("dns.clusterDomain: the syncer's networking.advanced.clusterDomain", () => {
    expect(at(r.rich.config(), "networking.advanced.clusterDomain")).toBe("corp.internal");
    expect(at(r.ephemeral.config(), "networking.advanced.clusterDomain")).toBe("cluster.local");
  });

  it("sync: each toggle reaches the syncer's config, storage classes as an explicit boolean", () => {
    const config = r.rich.config();
    expect(at(config, "sync.toHost.ingresses.enabled")).toBe(true);
    expect(at(config, "sync.toHost.persistentVolumeClaims.enabled")).toBe(false);
    expect(at(config, "sync.fromHost.nodes.enabled")).toBe(true);
    expect(at(config, "sync.fromHost.storageClasses.enabled")).toBe(false);
    const defaults = r.ephemeral.config();
    expect([
      at(defaults, "sync.toHost.ingresses.enabled"),
      at(defaults, "sync.toHost.persistentVolumeClaims.enabled"),
      at(defaults, "sync.fromHost.nodes.enabled"),
      at(defaults, "sync.fromHost.storageClasses.enabled"),
    ]).toEqual([false, true, false, true]);
  });

  it("ingress: an Ingress for the host with the class, and the proxy certificate names the host", () => {
    const ingress = r.rich.get("Ingress", "vc1").spec as { ingressClassName: string; rules: { host: string }[] };
    expect(ingress.ingressClassName).toBe("nginx");
    expect(ingress.rules.map((rule) => rule.host)).toEqual(["vc1.example.com"]);
    expect(at(r.rich.config(), "controlPlane.proxy.extraSANs")).toEqual(["vc1.example.com"]);
    expect(r.ephemeral.objects.some((o) => o.kind === "Ingress")).toBe(false);
  });

  it("plugins: an init container with the plugin's image copies it in", () => {
    const init = workload(r.rich.get("StatefulSet", "vc1")).template.spec.initContainers.find(
      (c) => c.name === "hooks",
    );
    expect(init).toMatchObject({ image: "ghcr.io/acme/hooks:1.2", args: ["-c", "cp -r /plugin /plugins/hooks"] });
  });

  it("helmValues: an allowed key reaches the chart", () => {
    expect(r.rich.get("StatefulSet", "vc1").metadata?.labels).toMatchObject({ team: "web" });
  });
});

describe("other chart releases and older rows", () => {
  it("renders the default spec on chart 0.30.0 with that release's image", () => {
    const init = workload(r.old.get("StatefulSet", "vc1")).template.spec.initContainers.find(
      (c) => c.name === "kubernetes",
    );
    expect(init?.image).toBe("ghcr.io/loft-sh/kubernetes:v1.31.1");
  });

  it("refuses a version the chart release does not ship, naming the field, the version and the chart", () => {
    expect(() => renderValues(testSpec({ kubernetesVersion: "1.36.0" }), { chartVersion: "0.30.0" })).toThrow(
      /spec\.kubernetesVersion: Kubernetes 1\.36\.0 is not supported by vcluster chart 0\.30\.0/,
    );
    expect(() => renderValues(testSpec(), { chartVersion: "0.29.9" })).toThrow(
      /chart version 0\.29\.9 is not in the portal's Kubernetes version table/,
    );
  });

  it("gives a row's older patch the release's image of the same minor", () => {
    const values = parse(renderValues(testSpec({ kubernetesVersion: "1.32.2" }), { chartVersion: "0.36.1" }), {
      version: "1.1",
    }) as { controlPlane: { distro: { k8s: { image: { tag: string } } } } };
    expect(values.controlPlane.distro.k8s.image.tag).toBe("v1.32.1");
  });
});

describe("values rendering", () => {
  it("keeps the deployed etcd while an HA vcluster is paused (replicas 0)", () => {
    const values = parse(renderValues({ ...ha, replicas: 0 }, { chartVersion: "0.36.1" })) as {
      controlPlane: { backingStore?: { etcd: { deploy: { enabled: boolean } } } };
    };
    expect(values.controlPlane.backingStore?.etcd.deploy.enabled).toBe(true);
  });

  it("refuses several replicas on embedded SQLite, which the syncer would refuse at start", () => {
    expect(() => renderValues(testSpec({ replicas: 2 }), { chartVersion: "0.36.1" })).toThrow(
      /spec\.replicas: 2 replicas need enableHa/,
    );
  });

  it("refuses stored helmValues the allow-list does not take, naming the key", () => {
    expect(() =>
      renderValues(
        testSpec({ helmValues: "controlPlane:\n  statefulSet:\n    scheduling:\n      priorityClassName: high\n" }),
        { chartVersion: "0.36.1" },
      ),
    ).toThrow(/spec\.helmValues: key controlPlane\.statefulSet\.scheduling is not on the allow-list/);
  });

  it("refuses distros recent charts do not ship", () => {
    expect(() => renderValues(testSpec({ distro: "k3s" }), { chartVersion: "0.36.1" })).toThrow(/only the k8s distro/);
  });

  it("quotes strings helm would read as something else", () => {
    const text = renderValues(
      testSpec({
        helmValues: 'controlPlane:\n  service:\n    annotations:\n      enabled: "yes"\n      port: "0x10"\n',
      }),
      { chartVersion: "0.36.1" },
    );
    expect(text).toContain('enabled: "yes"');
    expect(text).toContain('port: "0x10"');
  });
});
