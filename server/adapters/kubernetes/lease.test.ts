import https from "node:https";
import { CoordinationV1Api, V1MicroTime } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestHost, type TestHost } from "@/server/testing/test-host";
import { runLeaderElection, type LeaderElection } from "./lease";

let host: TestHost;
let leases: CoordinationV1Api;
const namespace = "open-vcluster-system";

beforeAll(async () => {
  host = await startTestHost();
  leases = host.kc.makeApiClient(CoordinationV1Api);
});
afterAll(async () => host.close());

function elector(identity: string, leaseName: string, log: string[]): LeaderElection {
  return runLeaderElection({
    kubeconfig: host.sim.kubeconfig,
    identity,
    leaseName,
    leaseMs: 1_000,
    retryMs: 100,
    onStartedLeading: () => void log.push(`${identity} started`),
    onStoppedLeading: () => void log.push(`${identity} stopped`),
  });
}

/** The lease as JSON text from the server, to see the exact timestamp format on the wire. */
function rawLease(name: string): Promise<{ spec: { holderIdentity: string; renewTime: string; acquireTime: string } }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${host.sim.url}/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`);
    https
      .get(url, { ca: host.sim.caPem, headers: { Authorization: `Bearer ${host.sim.adminToken}` } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () =>
          resolve(JSON.parse(body) as { spec: { holderIdentity: string; renewTime: string; acquireTime: string } }),
        );
      })
      .on("error", reject);
  });
}

describe("leader election on a Lease", () => {
  it("elects one leader in a namespace it creates, with MicroTime stamps, and the leader keeps renewing", async () => {
    const log: string[] = [];
    const a = elector("a", "first", log);
    await eventually(() => (a.isLeader() ? true : undefined), "a leads");
    const b = elector("b", "first", log);
    const raw = await rawLease("first");
    expect(raw.spec.holderIdentity).toBe("a");
    expect(raw.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(raw.spec.acquireTime).toMatch(/\.\d{6}Z$/);
    expect((await leases.readNamespacedLease({ namespace, name: "first" })).spec?.leaseDurationSeconds).toBe(1);
    // three renewals by a, each seen by b, and b never leads meanwhile
    let seen = raw.spec.renewTime;
    for (let i = 0; i < 3; i++) {
      const renewed = await eventually(async () => {
        const now = await rawLease("first");
        return now.spec.renewTime !== seen ? now : undefined;
      }, "a renews");
      expect(renewed.spec.holderIdentity).toBe("a");
      seen = renewed.spec.renewTime;
    }
    expect(b.isLeader()).toBe(false);
    expect(log).toEqual(["a started"]);
    await a.stop();
    await b.stop();
  });

  it("fails over when the holder stops renewing, but not before its lease expires", async () => {
    const renewTime = new V1MicroTime(Date.now());
    await leases.createNamespacedLease({
      namespace,
      body: {
        metadata: { name: "orphaned" },
        spec: {
          holderIdentity: "crashed-process",
          leaseDurationSeconds: 1,
          acquireTime: renewTime,
          renewTime,
          leaseTransitions: 0,
        },
      },
    });
    const log: string[] = [];
    const e = elector("e", "orphaned", log);
    await eventually(() => (e.isLeader() ? true : undefined), "e takes over");
    const lease = await leases.readNamespacedLease({ namespace, name: "orphaned" });
    expect(lease.spec?.holderIdentity).toBe("e");
    expect(lease.spec?.leaseTransitions).toBe(1);
    expect(new Date(String(lease.spec?.acquireTime)).getTime()).toBeGreaterThanOrEqual(renewTime.getTime() + 1_000);
    await e.stop();
  });

  it("a leader that cannot renew steps down, and leads again once it can", async () => {
    const log: string[] = [];
    const f = elector("f", "flaky", log);
    await eventually(() => (f.isLeader() ? true : undefined), "f leads");
    host.sim.setFaults({ errors: [{ verb: "update", resource: "leases", rate: 1, status: 503 }] });
    try {
      await eventually(() => (log.includes("f stopped") ? true : undefined), "f steps down");
      expect(f.isLeader()).toBe(false);
    } finally {
      host.sim.setFaults({});
    }
    await eventually(() => (f.isLeader() ? true : undefined), "f leads again");
    expect(log).toEqual(["f started", "f stopped", "f started"]);
    await f.stop();
  });

  it("hands over at once when the leader releases the lease", async () => {
    const log: string[] = [];
    const c = elector("c", "handover", log);
    await eventually(() => (c.isLeader() ? true : undefined), "c leads");
    const d = elector("d", "handover", log);
    await c.stop();
    expect((await leases.readNamespacedLease({ namespace, name: "handover" })).spec?.holderIdentity).not.toBe("c");
    await eventually(() => (d.isLeader() ? true : undefined), "d leads");
    expect(log.indexOf("c stopped")).toBeLessThan(log.indexOf("d started"));
    await d.stop();
    expect((await leases.readNamespacedLease({ namespace, name: "handover" })).spec?.holderIdentity).toBe("");
  });
});
