/**
 * Access gateway overhead (prints figures, asserts nothing): the same requests through the portal
 * (`https://portal/kube/<id>`, the person's token, impersonation) and directly against the virtual API (vc-NAME
 * through a port-forward, as `vcluster connect` does): `kubectl get namespaces` and a list of 1 000 ConfigMaps,
 * p50/p99, and watch event latency. Production build, simulated host, embedded database per run.
 */
import { setTimeout as delay } from "node:timers/promises";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig, Watch } from "@kubernetes/client-node";
import { createClient } from "@/server/client/create-client";
import { ensureBuild } from "@/server/launch/build";
import { connectVirtual } from "@/server/testing/connect-virtual";
import { startEnginePortal } from "@/server/testing/engine-portal";

process.env.LOG_LEVEL ??= "warn";
const exec = promisify(execFile);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const figures = (label: string, gateway: number[], direct: number[]) =>
  console.log(
    `${label}: gateway p50 ${percentile(gateway, 50).toFixed(1)} ms p99 ${percentile(gateway, 99).toFixed(1)} ms | direct p50 ${percentile(direct, 50).toFixed(1)} ms p99 ${percentile(direct, 99).toFixed(1)} ms | ratio p50 ${(percentile(gateway, 50) / percentile(direct, 50)).toFixed(2)}x, added p50 ${(percentile(gateway, 50) - percentile(direct, 50)).toFixed(1)} ms`,
  );

async function timed(times: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Milliseconds from asking for a ConfigMap's creation to its ADDED event on an open watch. */
async function watchLatency(watcher: KubeConfig, writer: CoreV1Api, rounds: number): Promise<number[]> {
  const seen = new Map<string, number>();
  const request = await new Watch(watcher).watch(
    "/api/v1/namespaces/default/configmaps",
    {},
    (type, obj: { metadata?: { name?: string } }) => {
      if (type === "ADDED" && obj.metadata?.name) seen.set(obj.metadata.name, performance.now());
    },
    () => undefined,
  );
  await delay(300);
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const name = `w-${Date.now()}-${i}`;
    const asked = performance.now();
    await writer.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name } } });
    while (!seen.has(name)) await delay(1);
    out.push((seen.get(name) ?? asked) - asked);
  }
  request.abort();
  return out;
}

async function main(): Promise<void> {
  await ensureBuild(process.cwd());
  const portal = await startEnginePortal({ GATEWAY_REQUESTS_PER_MINUTE: "1000000" });
  const dir = await mkdtemp(path.join(tmpdir(), "ovc-gateway-bench-"));
  try {
    const client = createClient({ url: portal.url, token: portal.token });
    const { vcluster } = await client.vcluster.create.mutate({ projectId: portal.project.id, name: "bench", spec: {} });
    while ((await client.vcluster.get.query({ id: vcluster.id })).phase !== "RUNNING") await delay(250);
    const file = await client.vcluster.kubeconfig.mutate({ id: vcluster.id });
    const viaGateway = path.join(dir, "gateway.kubeconfig");
    await writeFile(viaGateway, file.kubeconfig, { mode: 0o600 });
    const direct = await connectVirtual(portal.hostKubeconfig, { name: vcluster.name, namespace: vcluster.namespace });
    const viaDirect = path.join(dir, "direct.kubeconfig");
    await writeFile(viaDirect, direct.kc.exportConfig(), { mode: 0o600 });
    const gatewayKc = new KubeConfig();
    gatewayKc.loadFromString(file.kubeconfig);
    const gatewayApi = gatewayKc.makeApiClient(CoreV1Api);
    const directApi = direct.kc.makeApiClient(CoreV1Api);

    const kubectl = (kubeconfig: string) =>
      exec("kubectl", ["--kubeconfig", kubeconfig, "get", "namespaces"], { env: { ...process.env, HOME: dir } });
    await kubectl(viaGateway);
    await kubectl(viaDirect);
    figures(
      "kubectl get namespaces (20 runs)",
      await timed(20, () => kubectl(viaGateway)),
      await timed(20, () => kubectl(viaDirect)),
    );

    for (let i = 0; i < 1000; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          directApi.createNamespacedConfigMap({
            namespace: "default",
            body: { metadata: { name: `cm-${i + j}` }, data: { n: String(i + j) } },
          }),
        ),
      );
    const listDirect = () => directApi.listNamespacedConfigMap({ namespace: "default" });
    const listGateway = () => gatewayApi.listNamespacedConfigMap({ namespace: "default" });
    await listGateway();
    await listDirect();
    figures(
      "list of 1 000 ConfigMaps, client-node (30 runs)",
      await timed(30, listGateway),
      await timed(30, listDirect),
    );
    figures(
      "watch event after create (30 events)",
      await watchLatency(gatewayKc, directApi, 30),
      await watchLatency(direct.kc, directApi, 30),
    );
    await direct.close();
  } finally {
    await portal.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
