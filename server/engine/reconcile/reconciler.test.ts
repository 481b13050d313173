import { AppsV1Api, CoordinationV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOwnerAndProject,
  recordTestVCluster,
  startEngineEnvironment,
  TEST_CREDENTIALS_KEY,
  waitForOperation,
  type EngineEnvironment,
} from "@/server/testing/engine-harness";
import type { TestDatabase } from "@/server/testing/test-database";
import { parseConditions } from "@/server/universal/conditions";
import { createAdapterProvider } from "@/server/engine/placement/host-adapters";
import { startReconcilers } from "./reconciler";
import type { AdapterProvider, VClusterAdapter } from "@/server/adapters/vcluster/types";
import { AppError } from "@/server/universal/errors";
import { testChart } from "@/server/testing/test-chart";

let env: EngineEnvironment;
let t: TestDatabase;
let apps: AppsV1Api;
let leases: CoordinationV1Api;

beforeAll(async () => {
  env = await startEngineEnvironment();
  t = env.t;
  apps = env.hostConfig.makeApiClient(AppsV1Api);
  leases = env.hostConfig.makeApiClient(CoordinationV1Api);
});
afterAll(async () => {
  await env?.stop();
});

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `never saw ${what}; last: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

const scaleBehindTheBack = (name: string, replicas: number) =>
  apps.patchNamespacedStatefulSet(
    { name, namespace: `vc-${name}`, body: { spec: { replicas } } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );

describe("reconciler", () => {
  it("sees a scale made behind the portal's back, from one leader at a time, and fails over", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "drifty");
    await waitForOperation(t.db, operation.id);
    const options = {
      db: t.db,
      adapters: createAdapterProvider(t.db, TEST_CREDENTIALS_KEY, { chart: testChart() }),
      credentialsKey: TEST_CREDENTIALS_KEY,
      leaseMs: 1_500,
      debounceMs: 20,
      hostRefreshMs: 60_000,
    };
    const first = startReconcilers({ ...options, workerId: "reconciler-a" });
    const second = startReconcilers({ ...options, workerId: "reconciler-b" });
    try {
      const lease = await eventually(
        () =>
          leases
            .readNamespacedLease({ name: "open-vcluster-reconciler", namespace: "open-vcluster-system" })
            .catch(() => null),
        (l) => Boolean(l?.spec?.holderIdentity),
        "a lease holder",
      );
      const leader = lease?.spec?.holderIdentity;
      expect(["reconciler-a", "reconciler-b"]).toContain(leader);

      await scaleBehindTheBack("drifty", 2);
      const drifted = await eventually(
        () => t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } }),
        // the drift is the changed desired count; whether a second replica comes up does not matter here
        (v) => parseConditions(v.conditions).some((c) => c.type === "Drift" && c.status === "True"),
        "a Drift condition",
      );
      expect(parseConditions(drifted.conditions).find((c) => c.type === "Drift")).toMatchObject({
        reason: "ReplicasChanged",
        message: expect.stringContaining("portal wants 1"),
      });
      expect(drifted.phase).toBe("RUNNING");

      // The leader goes away; the other one takes over and keeps status true.
      await (leader === "reconciler-a" ? first : second).stop();
      await eventually(
        () => leases.readNamespacedLease({ name: "open-vcluster-reconciler", namespace: "open-vcluster-system" }),
        (l) => Boolean(l.spec?.holderIdentity) && l.spec?.holderIdentity !== leader,
        "the other reconciler leading",
      );
      await scaleBehindTheBack("drifty", 1);
      const healed = await eventually(
        () => t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } }),
        (v) =>
          parseConditions(v.conditions).some((c) => c.type === "Drift" && c.status === "False") &&
          v.readyReplicas === 1,
        "drift cleared",
      );
      expect(healed.phase).toBe("RUNNING");
    } finally {
      await first.stop();
      await second.stop();
    }
  }, 180_000);

  it("tries a failed reconcile again by itself with backoff, and reads every vcluster again on the periodic resync", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "requeued");
    await waitForOperation(t.db, operation.id);
    await t.db.vCluster.update({ where: { id: vcluster.id }, data: { statusObservedAt: null } });
    // the host's answers for this vcluster fail three times, then come back; nothing on the host changes meanwhile
    const inner = createAdapterProvider(t.db, TEST_CREDENTIALS_KEY, { chart: testChart() });
    let reads = 0;
    const adapters: AdapterProvider = {
      async forHost(id) {
        const adapter = await inner.forHost(id);
        const status: VClusterAdapter["status"] = async (target) => {
          if (target.name !== "requeued") return adapter.status(target);
          reads += 1;
          if (reads <= 3) throw new AppError("UNAVAILABLE", `host read ${reads} failed`);
          return adapter.status(target);
        };
        return new Proxy(adapter, {
          get: (real, prop, receiver) => (prop === "status" ? status : Reflect.get(real, prop, receiver)),
        });
      },
    };
    const reconciler = startReconcilers({
      db: t.db,
      adapters,
      credentialsKey: TEST_CREDENTIALS_KEY,
      workerId: "reconciler-requeue",
      leaseMs: 1_500,
      debounceMs: 20,
      requeueBaseMs: 50,
      resyncMs: 400,
      hostRefreshMs: 60_000,
    });
    try {
      const observed = await eventually(
        () => t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } }),
        (v) => v.statusObservedAt !== null,
        "the status read after three failures",
      );
      expect(reads).toBeGreaterThanOrEqual(4);
      const after = reads;
      // the resync reads the host again and writes what it saw, though no event came
      const observedAt = observed.statusObservedAt?.getTime() ?? 0;
      await eventually(
        () => t.db.vCluster.findUniqueOrThrow({ where: { id: vcluster.id } }),
        (v) => (v.statusObservedAt?.getTime() ?? 0) > observedAt,
        "a resync's read written, without any host event",
      );
      expect(reads).toBeGreaterThan(after);
    } finally {
      await reconciler.stop();
    }
  }, 120_000);
});
