/**
 * Under 20 % host faults (500s and unanswered requests) every operation of a full lifecycle converges by itself:
 * transient failures are retried inside the step (issue 14 item 3), so nothing ends in ERROR waiting for a recover.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runLifecyclesUnderFaults, twentyPercentFaults } from "@/server/testing/fault-lifecycle";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

it("create → update → suspend → resume → delete of 3 vclusters all succeed under 20 % host faults, without a recover", async () => {
  const run = await runLifecyclesUnderFaults(t.db, t.url, {
    count: 3,
    faults: twentyPercentFaults(14),
    prefix: "faulty",
  });
  expect(
    run.operations.map((op) => `${op.kind} ${op.state}${op.state === "SUCCEEDED" ? "" : `: ${op.lastError}`}`).sort(),
  ).toEqual(
    ["CREATE", "UPDATE", "SUSPEND", "RESUME", "DELETE"].flatMap((kind) => Array(3).fill(`${kind} SUCCEEDED`)).sort(),
  );
  expect(run.recovers).toBe(0);
  expect(await t.db.vCluster.count()).toBe(0);
}, 600_000);
