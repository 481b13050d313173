import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { AppsV1Api, CoreV1Api, VersionApi, type V1Pod } from "@kubernetes/client-node";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartPath, connectVirtual, forwardPort, helm, renderChart, valuesFile, vcSecretConfig } from "./chart-helpers";
import { eventually, kubeConfigFrom, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
let core: CoreV1Api;
const noPersistence = { controlPlane: { statefulSet: { persistence: { volumeClaim: { enabled: false } } } } };

beforeAll(async () => {
  t = await startTestSim();
  core = t.kc.makeApiClient(CoreV1Api);
});
afterAll(async () => t.close());

async function install(release: string, ns: string, values: unknown, version: "0.36.1" | "0.30.0" = "0.36.1") {
  const out = await helm([
    "upgrade",
    "--install",
    release,
    chartPath(version),
    "-n",
    ns,
    "--create-namespace",
    "-f",
    valuesFile(t.dataDir, `${ns}-${release}`, values),
    "--kubeconfig",
    t.kubeconfigPath,
  ]);
  expect(out.stderr).not.toMatch(/Error/);
  expect(out.code).toBe(0);
}

const syncerStatus = (p: V1Pod) => p.status?.containerStatuses?.find((s) => s.name === "syncer");

async function applyWithout(
  ns: string,
  release: string,
  edit: (docs: Record<string, unknown>[]) => Record<string, unknown>[],
) {
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const docs = edit(await renderChart(release, ns, valuesFile(t.dataDir, `${ns}-render`, noPersistence)));
  const file = path.join(t.dataDir, `${ns}.yaml`);
  fs.writeFileSync(file, docs.map((d) => YAML.stringify(d)).join("---\n"));
  const out = await t.kubectl(["apply", "-n", ns, "-f", file]);
  expect(out.code, out.stderr).toBe(0);
}

describe("the vcluster chart on hostsim", () => {
  it("installs as a Deployment whose syncer serves the virtual API through pods/portforward", async () => {
    await install("vc1", "team-a", noPersistence);
    const dep = await t.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: "team-a", name: "vc1" });
    expect(dep.spec?.template.spec?.serviceAccountName).toBe("vc-vc1");
    const secret = await eventually(() => core.readNamespacedSecret({ namespace: "team-a", name: "vc-vc1" }), "vc-vc1");
    expect(Object.keys(secret.data ?? {}).sort()).toEqual([
      "certificate-authority",
      "client-certificate",
      "client-key",
      "config",
      "token",
    ]);
    expect(secret.metadata?.labels).toMatchObject({ app: "vcluster", "vcluster-name": "vc1" });
    const config = YAML.parse(await vcSecretConfig(t.kc, "team-a", "vc1")) as {
      clusters: { cluster: { server: string } }[];
      "current-context": string;
    };
    expect(config.clusters[0].cluster.server).toBe("https://localhost:8443");
    expect(config["current-context"]).toBe("kubernetes-super-admin@kubernetes");

    const v = await connectVirtual(t.kc, "team-a", "vc1");
    try {
      expect((await v.kc.makeApiClient(VersionApi).getCode()).gitVersion).toBe("v1.36.0");
      const vcore = v.kc.makeApiClient(CoreV1Api);
      const names = (await vcore.listNamespace()).items.map((n) => n.metadata?.name);
      expect(names).toEqual(expect.arrayContaining(["default", "kube-system"]));
      await vcore.createNamespacedConfigMap({
        namespace: "default",
        body: { metadata: { name: "inside" }, data: { a: "b" } },
      });
      expect((await vcore.readNamespacedConfigMap({ namespace: "default", name: "inside" })).data).toEqual({ a: "b" });
      // The host's own credentials are not the virtual cluster's.
      const wrong = kubeConfigFrom(
        v.config.replace(/client-certificate-data: .*/, "token: nope").replace(/client-key-data: .*/, ""),
      );
      await expect(wrong.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });
    } finally {
      await v.forward.close();
    }
  });

  it("applies faults scoped to vc/NS/NAME to the virtual API only", async () => {
    const v = await connectVirtual(t.kc, "team-a", "vc1");
    try {
      t.sim.setFaults({
        errors: [{ cluster: "vc/team-a/vc1", verb: "list", resource: "namespaces", rate: 1, status: 503 }],
      });
      await expect(v.kc.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 503 });
      await core.listNamespace();
    } finally {
      t.sim.setFaults({});
      await v.forward.close();
    }
  });

  it("keeps the embedded database on the data volume: an emptyDir dies with its pod, a volume claim survives it", async () => {
    const podsOf = (ns: string, release: string) =>
      core.listNamespacedPod({ namespace: ns, labelSelector: `app=vcluster,release=${release}` });
    const writeThenReplacePod = async (ns: string, release: string) => {
      const v = await connectVirtual(t.kc, ns, release);
      await v.kc
        .makeApiClient(CoreV1Api)
        .createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "state" }, data: { a: "b" } } });
      await v.forward.close();
      const before = (await podsOf(ns, release)).items.map((p) => p.metadata?.uid);
      await core.deleteCollectionNamespacedPod({ namespace: ns, labelSelector: `app=vcluster,release=${release}` });
      await eventually(
        async () =>
          (await podsOf(ns, release)).items.some((p) => !before.includes(p.metadata?.uid)) ? true : undefined,
        "a new control plane pod",
      );
      const again = await connectVirtual(t.kc, ns, release);
      try {
        return await again.kc
          .makeApiClient(CoreV1Api)
          .readNamespacedConfigMap({ namespace: "default", name: "state" })
          .then(
            () => "kept",
            (e: { code?: number }) => (e.code === 404 ? "lost" : `error ${e.code}`),
          );
      } finally {
        await again.forward.close();
      }
    };
    await install("eph", "team-eph", noPersistence);
    expect(await writeThenReplacePod("team-eph", "eph")).toBe("lost");
    await install("dur", "team-dur", {});
    expect(await writeThenReplacePod("team-dur", "dur")).toBe("kept");
  });

  it("no longer serves virtual clusters under /vc/", async () => {
    const out = await t.kubectl(["get", "--raw", "/vc/team-a/vc1/version"]);
    expect(out.stderr).toMatch(/NotFound|not found|could not find/i);
  });

  it("answers port-forward to another port with the kubelet's connection refused, and requires credentials", async () => {
    const pod =
      (await core.listNamespacedPod({ namespace: "team-a", labelSelector: "app=vcluster,release=vc1" })).items[0]
        ?.metadata?.name ?? "";
    const forward = await forwardPort(t.kc, "team-a", pod, 9999);
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(forward.port, "127.0.0.1");
      s.on("data", (d: Buffer) => resolve(d.toString()));
      s.on("close", () => resolve("closed"));
    });
    expect(got).toBe("closed");
    await forward.close();
    const anonymous = kubeConfigFrom(t.sim.kubeconfig.replace(t.sim.adminToken, "bad"));
    const f2 = await forwardPort(anonymous, "team-a", pod, 8443);
    const closed = await new Promise<string>((resolve) => {
      const s = net.connect(f2.port, "127.0.0.1");
      s.on("close", () => resolve("closed"));
    });
    expect(closed).toBe("closed");
    await f2.close();
  });

  it("runs a StatefulSet control plane with persistence", async () => {
    await install("vc2", "team-b", {
      controlPlane: { statefulSet: { persistence: { volumeClaim: { enabled: true } } } },
    });
    await eventually(
      async () =>
        (await t.kc.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace: "team-b", name: "vc2" })).status
          ?.readyReplicas === 1
          ? true
          : undefined,
      "vc2 ready",
    );
    expect(
      (await core.readNamespacedPersistentVolumeClaim({ namespace: "team-b", name: "data-vc2-0" })).status?.phase,
    ).toBe("Bound");
    const v = await connectVirtual(t.kc, "team-b", "vc2");
    await v.kc.makeApiClient(CoreV1Api).listNamespace();
    await v.forward.close();
  });

  it("runs three replicas on a deployed etcd, which starts once the syncer wrote its certificates", async () => {
    await install("vc3", "team-c", {
      controlPlane: {
        statefulSet: { highAvailability: { replicas: 3 } },
        backingStore: { etcd: { deploy: { enabled: true } } },
      },
    });
    await eventually(
      async () =>
        (await t.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: "team-c", name: "vc3" })).status
          ?.readyReplicas === 3
          ? true
          : undefined,
      "3 ready replicas",
    );
    expect(
      (await core.readNamespacedSecret({ namespace: "team-c", name: "vc3-certs" })).metadata?.ownerReferences?.[0],
    ).toMatchObject({ kind: "Service", name: "vc3" });
    expect(
      (await t.kc.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace: "team-c", name: "vc3-etcd" })).status
        ?.readyReplicas,
    ).toBe(1);
  });

  it("refuses HA on the embedded database: CrashLoopBackOff with the syncer's error", async () => {
    await install("vc4", "team-d", { controlPlane: { statefulSet: { highAvailability: { replicas: 3 } } } });
    const pod = await eventually(async () => {
      const p = (await core.listNamespacedPod({ namespace: "team-d", labelSelector: "app=vcluster,release=vc4" }))
        .items[0];
      return p && (syncerStatus(p)?.restartCount ?? 0) >= 2 ? p : undefined;
    }, "a crash-looping syncer");
    const status = syncerStatus(pod);
    expect(status?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    expect(status?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(status?.lastState?.terminated?.message).toContain(
      "embedded database is not supported with multiple replicas",
    );
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    const name = pod.metadata?.name ?? "";
    expect(await core.readNamespacedPodLog({ namespace: "team-d", name, container: "syncer" })).toContain(
      "embedded database is not supported with multiple replicas",
    );
    expect(
      await core.readNamespacedPodLog({ namespace: "team-d", name, container: "syncer", previous: true }),
    ).toContain("embedded database is not supported with multiple replicas");
    const events = await core.listNamespacedEvent({
      namespace: "team-d",
      fieldSelector: `involvedObject.name=${name},reason=BackOff`,
    });
    expect(events.items[0]?.type).toBe("Warning");
    await expect(core.readNamespacedSecret({ namespace: "team-d", name: "vc-vc4" })).rejects.toMatchObject({
      code: 404,
    });
  });

  it("keeps a control plane without its config Secret in ContainerCreating with FailedMount", async () => {
    await applyWithout("team-e", "vc5", (docs) =>
      docs.filter((d) => !(d.kind === "Secret" && (d.metadata as { name: string }).name === "vc-config-vc5")),
    );
    const event = await eventually(
      async () =>
        (await core.listNamespacedEvent({ namespace: "team-e", fieldSelector: "reason=FailedMount" })).items[0],
      "FailedMount",
    );
    expect(event.message).toBe(
      'MountVolume.SetUp failed for volume "vcluster-config" : secret "vc-config-vc5" not found',
    );
    const pod = (await core.listNamespacedPod({ namespace: "team-e", labelSelector: "app=vcluster,release=vc5" }))
      .items[0];
    expect(syncerStatus(pod)?.state?.waiting?.reason).toBe("ContainerCreating");
    expect(pod.status?.phase).toBe("Pending");
  });

  it("crashes a syncer without VCLUSTER_NAME", async () => {
    await applyWithout("team-f", "vc6", (docs) =>
      docs.map((d) => {
        if (d.kind !== "Deployment") return d;
        const spec = (d.spec as { template: { spec: { containers: { name: string; env: { name: string }[] }[] } } })
          .template.spec;
        for (const c of spec.containers)
          if (c.name === "syncer") c.env = c.env.filter((e) => e.name !== "VCLUSTER_NAME");
        return d;
      }),
    );
    const pod = await eventually(async () => {
      const p = (await core.listNamespacedPod({ namespace: "team-f", labelSelector: "app=vcluster,release=vc6" }))
        .items[0];
      return p && syncerStatus(p)?.lastState?.terminated ? p : undefined;
    }, "a crashed syncer");
    expect(syncerStatus(pod)?.lastState?.terminated?.message).toBe("empty vCluster name");
  });

  it("writes exportKubeConfig.server into vc-NAME and the serving certificate", async () => {
    await install("vc7", "team-g", { ...noPersistence, exportKubeConfig: { server: "https://vc7.example.com:8443" } });
    await eventually(
      async () =>
        (await vcSecretConfig(t.kc, "team-g", "vc7")).includes("server: https://vc7.example.com:8443")
          ? true
          : undefined,
      "exported server",
    );
    const v = await connectVirtual(t.kc, "team-g", "vc7");
    await v.kc.makeApiClient(CoreV1Api).listNamespace();
    await v.forward.close();
  });

  it("upgrades from the 0.30.0 chart to 0.36.1, then uninstalls leaving no release Secrets", async () => {
    await install("vc8", "team-h", noPersistence, "0.30.0");
    await eventually(() => core.readNamespacedSecret({ namespace: "team-h", name: "vc-vc8" }), "vc-vc8 on 0.30.0");
    await install("vc8", "team-h", {
      ...noPersistence,
      controlPlane: { ...noPersistence.controlPlane, service: { spec: { type: "NodePort" } } },
    });
    const svc = await core.readNamespacedService({ namespace: "team-h", name: "vc8" });
    expect(svc.spec?.ports?.[0].nodePort).toBeGreaterThanOrEqual(30000);
    await install("vc8", "team-h", {
      ...noPersistence,
      policies: { networkPolicy: { enabled: true } },
      controlPlane: { ...noPersistence.controlPlane, ingress: { enabled: true, host: "vc8.example.com" } },
    });
    const out = await helm(["uninstall", "vc8", "-n", "team-h", "--kubeconfig", t.kubeconfigPath]);
    expect(out.stderr).toBe("");
    expect((await core.listNamespacedSecret({ namespace: "team-h", labelSelector: "owner=helm" })).items).toHaveLength(
      0,
    );
    await eventually(
      async () =>
        (await core.listNamespacedSecret({ namespace: "team-h" })).items.every(
          (s) => !s.metadata?.name?.startsWith("vc-vc8"),
        )
          ? true
          : undefined,
      "vc-vc8 gone with the Service",
    );
  });
});
