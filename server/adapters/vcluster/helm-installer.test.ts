import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { startTestHost, testSpec, testTarget, type TestHost } from "../test-host";
import { createVClusterAdapter } from "./kubernetes-vcluster-adapter";

/** A stand-in for helm: records its arguments, the values file and the temp files' modes, as the real one would read them. */
const fakeHelm = `#!/bin/sh
n=$(ls "$HELM_RECORD" | grep -c args)
printf '%s\\n' "$@" > "$HELM_RECORD/call-$n.args"
prev=""
for a in "$@"; do
  case "$prev" in
    --values) cp "$a" "$HELM_RECORD/call-$n.values"; stat -c %a "$a" >> "$HELM_RECORD/call-$n.modes" ;;
    --kubeconfig) cp "$a" "$HELM_RECORD/call-$n.kubeconfig"; stat -c %a "$a" >> "$HELM_RECORD/call-$n.modes" ;;
  esac
  prev="$a"
done
if [ -n "$HELM_FAIL" ]; then echo "$HELM_FAIL" >&2; exit 1; fi
exit 0
`;

let host: TestHost;
let dir: string;
let record: string;
const saved = { bin: process.env.HELM_BIN, record: process.env.HELM_RECORD };

beforeAll(async () => {
  host = await startTestHost();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-helm-"));
  record = path.join(dir, "record");
  fs.mkdirSync(record);
  fs.writeFileSync(path.join(dir, "helm"), fakeHelm, { mode: 0o755 });
  process.env.HELM_BIN = path.join(dir, "helm");
  process.env.HELM_RECORD = record;
});
afterAll(async () => {
  process.env.HELM_BIN = saved.bin;
  process.env.HELM_RECORD = saved.record;
  delete process.env.HELM_FAIL;
  fs.rmSync(dir, { recursive: true, force: true });
  await host.close();
});

const call = (n: number, ext: string) => fs.readFileSync(path.join(record, `call-${n}.${ext}`), "utf8");

describe("helm installer", () => {
  const target = testTarget("charted");
  const spec = testSpec({
    replicas: 3,
    kubernetesVersion: "1.32.2",
    defaultStorageClass: "fast",
    podCidr: "10.10.0.0/16",
    helmValues: "sync:\n  toHost:\n    pods:\n      enabled: false\n    ingresses:\n      enabled: true\ncontrolPlane:\n  proxy:\n    extraSANs: [vc.example.com]\n",
  });

  it("labels the namespace, then runs helm upgrade --install with private temp files it removes", async () => {
    const adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, installer: "helm", helm: { chartVersion: "0.30.1" } });
    await adapter.install(target, spec);
    const ns = await host.kc.makeApiClient(CoreV1Api).readNamespace({ name: target.namespace });
    expect(ns.metadata?.labels).toMatchObject({ "open-vcluster.io/vcluster-id": "id-charted", "open-vcluster.io/managed": "true" });

    const args = call(0, "args").trimEnd().split("\n");
    const valuesPath = args[args.indexOf("--values") + 1];
    const kubeconfigPath = args[args.indexOf("--kubeconfig") + 1];
    expect(args).toEqual([
      "upgrade", "--install", "charted", "vcluster",
      "--repo", "https://charts.loft.sh",
      "--version", "0.30.1",
      "--namespace", "vc-charted",
      "--create-namespace",
      "--values", valuesPath,
      "--kubeconfig", kubeconfigPath,
      "--wait=false",
    ]);
    expect(call(0, "modes").trim().split("\n")).toEqual(["600", "600"]);
    expect(call(0, "kubeconfig")).toBe(host.sim.kubeconfig);
    expect(fs.existsSync(valuesPath)).toBe(false);
    expect(fs.existsSync(kubeconfigPath)).toBe(false);
    expect(fs.existsSync(path.dirname(valuesPath))).toBe(false);

    expect(YAML.parse(call(0, "values"))).toEqual({
      sync: { toHost: { pods: { enabled: true }, ingresses: { enabled: true } } },
      controlPlane: {
        proxy: { extraSANs: ["vc.example.com"] },
        distro: { k8s: { enabled: true, image: { tag: "v1.32.2" } } },
        statefulSet: {
          resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
          highAvailability: { replicas: 3 },
          persistence: { volumeClaim: { enabled: true, size: "5Gi", storageClass: "fast" } },
        },
      },
      networking: { podCIDR: "10.10.0.0/16" },
      policies: {
        resourceQuota: {
          enabled: true,
          quota: {
            "requests.cpu": "4600m",
            "requests.memory": "4864Mi",
            "limits.cpu": "11",
            "limits.memory": "11Gi",
            "requests.storage": "35Gi",
            "count/pods": "53",
            "count/services": "20",
            "count/persistentvolumeclaims": "23",
            "services.nodeports": "0",
            "services.loadbalancers": "1",
          },
        },
        limitRange: { enabled: true, default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "50m", memory: "64Mi" } },
        networkPolicy: { enabled: false },
      },
      exportKubeConfig: {},
    });
  });

  it("passes exportKubeConfig.server when the portal knows a reachable address", async () => {
    const adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, installer: "helm", helm: { exportKubeConfigServer: (t) => `https://${t.name}.vc.example.com` } });
    await adapter.install(target, spec);
    expect(YAML.parse(call(1, "values")).exportKubeConfig).toEqual({ server: "https://charted.vc.example.com" });
  });

  it("translates helm's failures and still removes the temp files", async () => {
    const adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, installer: "helm" });
    process.env.HELM_FAIL = "Error: Kubernetes cluster unreachable: Get \"https://10.0.0.1:6443/version\": dial tcp 10.0.0.1:6443: connect: connection refused";
    try {
      await expect(adapter.install(target, spec)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    } finally {
      delete process.env.HELM_FAIL;
    }
    const args = call(2, "args").trimEnd().split("\n");
    expect(fs.existsSync(args[args.indexOf("--values") + 1])).toBe(false);
  });

  it("uninstalls with helm uninstall, then deletes the namespace and waits for it", async () => {
    const adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, installer: "helm" });
    await adapter.uninstall(target);
    const args = call(3, "args").trimEnd().split("\n");
    expect(args).toEqual(["uninstall", "charted", "-n", "vc-charted", "--kubeconfig", args[5]]);
    expect(call(3, "modes").trim()).toBe("600");
    expect(fs.existsSync(args[5])).toBe(false);
    await expect(host.kc.makeApiClient(CoreV1Api).readNamespace({ name: target.namespace })).rejects.toMatchObject({ code: 404 });
  });

  it("says plainly when the helm binary is missing", async () => {
    const adapter = createVClusterAdapter({ kubeconfig: host.sim.kubeconfig, installer: "helm", helm: { bin: path.join(dir, "no-such-helm") } });
    await expect(adapter.install(testTarget("nohelm"), spec)).rejects.toMatchObject({ code: "NOT_AVAILABLE", message: expect.stringContaining("HELM_BIN") });
  });
});
