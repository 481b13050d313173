/**
 * Full vcluster lifecycles (create → update → suspend → resume → delete) under injected host faults, without any
 * manual action: what the convergence test asserts and the benchmark measures (issue 14 item 3).
 */
import type { Faults } from "@open-vcluster/hostsim/faults";
import type { Db } from "@/server/db/client";
import { createAdapterProvider } from "@/server/engine/placement/host-adapters";
import { requestOperation } from "@/server/engine/queue/operations";
import { requestChange } from "@/server/engine/queue/request-change";
import type { Operation, OperationKind } from "@/server/generated/prisma/client";
import {
  createOwnerAndProject,
  recordTestVCluster,
  registerTestHost,
  startTestHost,
  TEST_CREDENTIALS_KEY,
  testWorker,
  waitForOperation,
} from "./engine-harness";
import { testChart } from "./test-chart";

/**
 * At least 20 % of host requests fail. 500s (with the Retry-After: 1 hostsim sends) and 504s hit every request, helm's
 * too: a 504 is what kube-apiserver answers when a request outlives its --request-timeout (k8s.io/apiserver
 * pkg/server/filters/timeout.go). Requests that are never answered at all hit only those the portal's own client
 * makes, which has a deadline per request; helm's client-go sets none, so one unanswered request would hold helm
 * until the portal's limit on a helm run.
 */
export function twentyPercentFaults(seed: number): Faults {
  // each rule sees only what the ones before it let through: 0.1 + 0.9 × 0.111 ≈ 0.2 for helm's requests, more for
  // the portal's reads and deletes listed here
  const unanswered = (verb: string, resource: string) => ({ verb, resource, rate: 0.111, status: "timeout" as const });
  return {
    seed,
    errors: [
      { rate: 0.1, status: 500 },
      unanswered("list", "deployments"),
      unanswered("list", "events"),
      unanswered("get", "namespaces"),
      unanswered("patch", "namespaces"),
      unanswered("deletecollection", "pods"),
      unanswered("delete", "namespaces"),
      { rate: 0.111, status: 504 },
    ],
  };
}

export interface LifecycleRun {
  operations: Pick<Operation, "kind" | "state" | "attempts" | "lastError">[];
  /** ms from the create request to RUNNING, for each create that got there */
  timesToRunning: number[];
  /** RECOVER operations anyone requested: none, as nothing here asks for one */
  recovers: number;
}

const LIFECYCLE: Exclude<OperationKind, "CREATE">[] = ["UPDATE", "SUSPEND", "RESUME", "DELETE"];

/** `count` vclusters through a full lifecycle each, concurrently, on a fresh simulated host under `faults`. */
export async function runLifecyclesUnderFaults(
  db: Db,
  databaseUrl: string,
  options: { count: number; faults: Faults; prefix: string },
): Promise<LifecycleRun> {
  const sim = await startTestHost();
  // 1 s per request: an unanswered one costs that, then it is retried
  const worker = testWorker(db, databaseUrl, {
    adapters: createAdapterProvider(db, TEST_CREDENTIALS_KEY, { chart: testChart(), requestTimeoutMs: 1_000 }),
    backoffBaseMs: 100,
    backoffCapMs: 1_000,
    readyTimeoutMs: 60_000,
  });
  try {
    await registerTestHost(db, `${options.prefix}-host`, sim.kubeconfig);
    await worker.start();
    const { owner, project } = await createOwnerAndProject(db);
    sim.setFaults(options.faults);
    const operations: LifecycleRun["operations"] = [];
    const timesToRunning: number[] = [];
    await Promise.all(
      Array.from({ length: options.count }, async (_, i) => {
        const started = performance.now();
        const { vcluster, operation } = await recordTestVCluster(db, project.id, owner.id, `${options.prefix}-${i}`);
        const created = await waitForOperation(db, operation.id, 300_000);
        operations.push(created);
        if (created.state !== "SUCCEEDED") return;
        timesToRunning.push(performance.now() - started);
        for (const kind of LIFECYCLE) {
          const requested = await db.$transaction((tx) =>
            kind === "UPDATE"
              ? requestChange(tx, { vclusterId: vcluster.id, kind }, { cpuLimitMillis: 1500 })
              : requestOperation(tx, { vclusterId: vcluster.id, kind }),
          );
          const done = await waitForOperation(db, requested.operation.id, 300_000);
          operations.push(done);
          if (done.state !== "SUCCEEDED") return;
        }
      }),
    );
    const recovers = await db.operation.count({ where: { kind: "RECOVER", projectId: project.id } });
    return { operations, timesToRunning, recovers };
  } finally {
    sim.setFaults({});
    await worker.stop();
    await sim.close();
  }
}
