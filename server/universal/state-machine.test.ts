import { describe, expect, it } from "vitest";
import { ACTIONS, allowedActions, EVENTS, PHASES, transition, type LifecycleEvent } from "./state-machine";
import type { VClusterPhase } from "@/server/generated/prisma/client";

/**
 * The seed's table, written out independently of the implementation, with two ways out the seed lacks (issue 14):
 * a delete that ran out of attempts, and a suspend (which keeps RUNNING until the host confirms) that failed once
 * it may have paused the control plane, end in ERROR, from which force delete and recover are offered.
 */
const EXPECTED: Record<string, VClusterPhase | "gone"> = {
  "PENDING/allocated": "CREATING",
  "PENDING/failed": "ERROR",
  "CREATING/succeeded": "RUNNING",
  "CREATING/failed": "ERROR",
  "RUNNING/scale": "SCALING",
  "SCALING/succeeded": "RUNNING",
  "SCALING/failed": "ERROR",
  "RUNNING/update": "UPDATING",
  "UPDATING/succeeded": "RUNNING",
  "UPDATING/failed": "ERROR",
  "RUNNING/suspend": "SUSPENDED",
  "SUSPENDED/resume": "RESUMING",
  "RESUMING/succeeded": "RUNNING",
  "RESUMING/failed": "ERROR",
  "RUNNING/snapshot": "SNAPSHOTTING",
  "SNAPSHOTTING/succeeded": "RUNNING",
  "SNAPSHOTTING/failed": "ERROR",
  "RUNNING/restore": "RESTORING",
  "RESTORING/succeeded": "RUNNING",
  "RESTORING/failed": "ERROR",
  "RUNNING/delete": "DELETING",
  "SUSPENDED/delete": "DELETING",
  "ERROR/forceDelete": "DELETING",
  "DELETING/succeeded": "gone",
  "DELETING/failed": "ERROR",
  "RUNNING/failed": "ERROR",
  "ERROR/recover": "RUNNING",
};

const pairs: [VClusterPhase, LifecycleEvent][] = PHASES.flatMap((phase) =>
  EVENTS.map((event) => [phase, event] as [VClusterPhase, LifecycleEvent]),
);

describe("lifecycle state machine", () => {
  it.each(pairs)("%s + %s", (phase, event) => {
    const expected = EXPECTED[`${phase}/${event}`];
    const result = transition(phase, event);
    if (expected === undefined) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.message).toContain(`phase ${phase}`);
        expect(result.allowedActions).toEqual(allowedActions(phase));
      }
    } else {
      expect(result).toEqual({ ok: true, next: expected === "gone" ? null : expected });
    }
  });

  it("names the allowed actions in a refusal", () => {
    const result = transition("SUSPENDED", "scale");
    expect(result).toEqual({
      ok: false,
      message: "cannot scale a vcluster in phase SUSPENDED; allowed now: resume, delete",
      allowedActions: ["resume", "delete"],
    });
    const busy = transition("CREATING", "delete");
    expect(busy.ok).toBe(false);
    if (!busy.ok) expect(busy.message).toContain("no action is allowed until the current operation ends");
  });

  it("offers only actions, never outcomes", () => {
    for (const phase of PHASES) for (const action of allowedActions(phase)) expect(ACTIONS).toContain(action);
    expect(allowedActions("RUNNING")).toEqual(["scale", "update", "suspend", "snapshot", "restore", "delete"]);
    expect(allowedActions("ERROR")).toEqual(["forceDelete", "recover"]);
  });
});
