import { CoreV1Api, Watch } from "@kubernetes/client-node";
import fs from "node:fs";
import https from "node:https";
import { pathToFileURL } from "node:url";
import { kubeConfigFrom, tempDir } from "./test-helpers";
import { startHostSim } from "./index";

export interface BenchFigures {
  created: number;
  createPerSecond: number;
  /** The server's own ceiling: creates through one keep-alive agent (client-node opens a TLS connection per request). */
  keepAliveCreatePerSecond: number;
  listMs: number;
  listedItems: number;
  peakRssMb: number;
  watchers: number;
  watchEventsPerSecond: number;
  watchLatencyP50Ms: number;
  watchLatencyP99Ms: number;
}

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;

/** Measures the simulator through client-node over HTTPS: bulk create and list, then watch fan-out. */
export async function runBench(
  opts: { objects?: number; watchers?: number; watchEvents?: number } = {},
): Promise<BenchFigures> {
  const objects = opts.objects ?? 10_000;
  const watchers = opts.watchers ?? 50;
  const watchEvents = opts.watchEvents ?? 200;
  const dataDir = tempDir("hostsim-bench-");
  const sim = await startHostSim({ dataDir, podReadyDelayMs: 10 });
  try {
    const kc = kubeConfigFrom(sim.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "bench" } } });

    const createStart = performance.now();
    await pool(objects, 16, (i) =>
      core.createNamespacedConfigMap({
        namespace: "bench",
        body: {
          metadata: { name: `cm-${i}`, labels: { bench: "yes" } },
          data: { index: String(i), payload: "x".repeat(64) },
        },
      }),
    );
    const createPerSecond = objects / ((performance.now() - createStart) / 1000);

    const u = new URL(sim.url);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: sim.caPem });
    const post = (i: number) =>
      new Promise<void>((resolve, reject) => {
        const req = https.request(
          {
            agent,
            method: "POST",
            host: u.hostname,
            port: u.port,
            path: "/api/v1/namespaces/bench/configmaps",
            headers: { Authorization: `Bearer ${sim.adminToken}`, "Content-Type": "application/json" },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve());
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ metadata: { name: `ka-${i}` }, data: { payload: "x".repeat(64) } }));
      });
    const keepAliveCount = Math.min(objects, 5000);
    const keepAliveStart = performance.now();
    await pool(keepAliveCount, 16, post);
    const keepAliveCreatePerSecond = keepAliveCount / ((performance.now() - keepAliveStart) / 1000);
    agent.destroy();

    const listStart = performance.now();
    const list = await core.listNamespacedConfigMap({ namespace: "bench" });
    const listMs = performance.now() - listStart;

    await core.createNamespace({ body: { metadata: { name: "fanout" } } });
    const latencies: number[] = [];
    let delivered = 0;
    let allDone: () => void = () => undefined;
    const finished = new Promise<void>((r) => (allDone = r));
    const rv = (await core.listNamespacedConfigMap({ namespace: "fanout" })).metadata?.resourceVersion;
    const watches = await Promise.all(
      Array.from({ length: watchers }, () =>
        new Watch(kc).watch(
          "/api/v1/namespaces/fanout/configmaps",
          { resourceVersion: rv },
          (type, obj: { data?: { sentAt?: string } }) => {
            if (type !== "ADDED") return;
            latencies.push(performance.now() + performance.timeOrigin - Number(obj.data?.sentAt));
            if (++delivered === watchers * watchEvents) allDone();
          },
          () => undefined,
        ),
      ),
    );
    const fanStart = performance.now();
    await pool(watchEvents, 4, (i) =>
      core.createNamespacedConfigMap({
        namespace: "fanout",
        body: { metadata: { name: `w-${i}` }, data: { sentAt: String(performance.now() + performance.timeOrigin) } },
      }),
    );
    await finished;
    const fanSeconds = (performance.now() - fanStart) / 1000;
    for (const w of watches) w.abort();

    return {
      created: objects,
      createPerSecond: Math.round(createPerSecond),
      keepAliveCreatePerSecond: Math.round(keepAliveCreatePerSecond),
      listMs: Math.round(listMs),
      listedItems: list.items.length,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      watchers,
      watchEventsPerSecond: Math.round(delivered / fanSeconds),
      watchLatencyP50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      watchLatencyP99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
    };
  } finally {
    await sim.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const f = await runBench();
  console.log(`hostsim bench (client-node over HTTPS, in-process server)
  create ${f.created} ConfigMaps with client-node: ${f.createPerSecond} objects/s (server ceiling with a keep-alive client: ${f.keepAliveCreatePerSecond} objects/s)
  list ${f.listedItems} ConfigMaps in one namespace: ${f.listMs} ms
  peak RSS (client + server): ${f.peakRssMb} MB
  watch fan-out to ${f.watchers} watchers: ${f.watchEventsPerSecond} events/s delivered, latency p50 ${f.watchLatencyP50Ms} ms, p99 ${f.watchLatencyP99Ms} ms`);
}
