import { CoreV1Api, Watch } from "@kubernetes/client-node";
import https from "node:https";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
let core: CoreV1Api;

beforeAll(async () => {
  t = await startTestSim();
  core = t.kc.makeApiClient(CoreV1Api);
});
afterAll(async () => t.close());

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { code?: number }) => e.code ?? -1,
  );

function rawGet(path: string, timeoutMs: number): Promise<"timeout" | "closed" | number> {
  const u = new URL(t.sim.url);
  return new Promise((resolve) => {
    const req = https.get(
      {
        host: u.hostname,
        port: u.port,
        path,
        ca: t.sim.caPem,
        headers: { Authorization: `Bearer ${t.sim.adminToken}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve("timeout");
    });
    req.on("error", () => resolve("closed"));
  });
}

function admin(faults: unknown): Promise<number> {
  const u = new URL(t.sim.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        method: "POST",
        host: u.hostname,
        port: u.port,
        path: "/_hostsim/faults",
        ca: t.sim.caPem,
        headers: { Authorization: `Bearer ${t.sim.adminToken}`, "Content-Type": "application/json" },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(faults));
  });
}

describe("fault injection", () => {
  it("fails a verb and resource at the configured rate, deterministically with a seed", async () => {
    const run = async () => {
      t.sim.setFaults({ seed: 42, errors: [{ verb: "list", resource: "configmaps", rate: 0.5, status: 503 }] });
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push(await codeOf(core.listNamespacedConfigMap({ namespace: "default" })));
      return codes;
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(first.filter((c) => c === 503).length).toBeGreaterThan(3);
    expect(first.filter((c) => c === 200).length).toBeGreaterThan(3);
    expect(await codeOf(core.listNamespacedSecret({ namespace: "default" }))).toBe(200);
    expect(await codeOf(core.readNamespace({ name: "default" }))).toBe(200);
    t.sim.setFaults({});
  });

  it("returns 500s through the admin endpoint settings, and heals", async () => {
    expect(await admin({ errors: [{ verb: "create", rate: 1, status: 500 }] })).toBe(200);
    expect(
      await codeOf(core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "f" } } })),
    ).toBe(500);
    expect(await admin({})).toBe(200);
    expect(
      await codeOf(core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "f" } } })),
    ).toBe(200);
  });

  it("times requests out by never answering them", async () => {
    t.sim.setFaults({ errors: [{ resource: "pods", rate: 1, status: "timeout" }] });
    expect(await rawGet("/api/v1/pods", 300)).toBe("timeout");
    expect(await rawGet("/api/v1/services", 300)).toBe(200);
    t.sim.setFaults({});
  });

  it("adds latency", async () => {
    t.sim.setFaults({ latencyMs: 150 });
    const start = performance.now();
    await core.readNamespace({ name: "default" });
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    t.sim.setFaults({});
  });

  it("drops watch connections", async () => {
    let ended: () => void = () => undefined;
    const done = new Promise<void>((r) => (ended = r));
    await new Watch(t.kc).watch(
      "/api/v1/namespaces/default/configmaps",
      {},
      () => undefined,
      () => ended(),
    );
    t.sim.setFaults({ dropWatchesAfterMs: 50 });
    await done;
    t.sim.setFaults({});
  });

  it("stops answering: hangs, or closes connections, while TCP still accepts", async () => {
    t.sim.setFaults({ unresponsive: "hang" });
    expect(await rawGet("/version", 300)).toBe("timeout");
    t.sim.setFaults({ unresponsive: "close" });
    expect(await rawGet("/version", 2000)).toBe("closed");
    const u = new URL(t.sim.url);
    const connected = await new Promise<boolean>((resolve) => {
      const s = net.connect(Number(u.port), u.hostname, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    expect(connected).toBe(true);
    t.sim.setFaults({});
    expect(await rawGet("/version", 2000)).toBe(200);
  });

  it("protects the admin endpoint with the admin token", async () => {
    const u = new URL(t.sim.url);
    const status = await new Promise<number>((resolve) => {
      https.get({ host: u.hostname, port: u.port, path: "/_hostsim/faults", ca: t.sim.caPem }, (res) =>
        resolve(res.statusCode ?? 0),
      );
    });
    expect(status).toBe(401);
  });
});
