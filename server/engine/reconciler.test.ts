import { AppsV1Api, CoordinationV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOwnerAndProject, recordTestVCluster, startEngineEnvironment, TEST_CREDENTIALS_KEY, waitForOperation, type EngineEnvironment } from "@/server/testing/engine-harness";
import type { TestDatabase } from "@/server/testing/test-database";
import { parseConditions } from "./conditions";
import { createAdapterProvider } from "./host-adapters";
import { startReconcilers } from "./reconciler";
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
    if (Date.now() > deadline) throw new Error(`never saw ${what}; last: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const scaleBehindTheBack = (name: string, replicas: number) =>
  apps.patchNamespacedStatefulSet({ name, namespace: `vc-${name}`, body: { spec: { replicas } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));

describe("reconciler", () => {
  it("sees a scale made behind the portal's back, from one leader at a time, and fails over", async () => {
    const { owner, project } = await createOwnerAndProject(t.db);
    const { vcluster, operation } = await recordTestVCluster(t.db, project.id, owner.id, "drifty");
    await waitForOperation(t.db, operation.id);
    const options = { db: t.db, adapters: createAdapterProvider(t.db, TEST_CREDENTIALS_KEY, { chart: testChart() }), credentialsKey: TEST_CREDENTIALS_KEY, leaseMs: 1_500, debounceMs: 20, hostRefreshMs: 60_000 };
    const first = startReconcilers({ ...options, workerId: "reconciler-a" });
    const second = startReconcilers({ ...options, workerId: "reconciler-b" });
    try {
      const lease = await eventually(
        () => leases.readNamespacedLease({ name: "open-vcluster-reconciler", namespace: "open-vcluster-system" }).catch(() => null),
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
      expect(parseConditions(drifted.conditions).find((c) => c.type === "Drift")).toMatchObject({ reason: "ReplicasChanged", message: expect.stringContaining("portal wants 1") });
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
        (v) => parseConditions(v.conditions).some((c) => c.type === "Drift" && c.status === "False") && v.readyReplicas === 1,
        "drift cleared",
      );
      expect(healed.phase).toBe("RUNNING");
    } finally {
      await first.stop();
      await second.stop();
    }
  }, 180_000);
});
