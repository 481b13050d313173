/**
 * The vcluster lifecycle, exactly as the design's state machine: a pure table from (phase, event) to the next phase.
 * User requests start an operation; the operation's outcome (`succeeded` / `failed`) ends it.
 */
import type { VClusterPhase } from "@/server/generated/prisma/enums";

export const PHASES = [
  "PENDING",
  "CREATING",
  "RUNNING",
  "SCALING",
  "UPDATING",
  "SUSPENDED",
  "RESUMING",
  "SNAPSHOTTING",
  "RESTORING",
  "DELETING",
  "ERROR",
] as const satisfies readonly VClusterPhase[];

/** What a user (or tool) asks for. */
export const ACTIONS = [
  "scale",
  "update",
  "suspend",
  "resume",
  "snapshot",
  "restore",
  "delete",
  "forceDelete",
  "recover",
] as const;
export type Action = (typeof ACTIONS)[number];

/** What the engine reports about the work in progress. */
export const OUTCOMES = ["allocated", "succeeded", "failed"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type LifecycleEvent = Action | Outcome;
export const EVENTS: readonly LifecycleEvent[] = [...ACTIONS, ...OUTCOMES];

/** `null` as a target means the vcluster is gone. */
type Target = VClusterPhase | null;

const TABLE: Partial<Record<VClusterPhase, Partial<Record<LifecycleEvent, Target>>>> = {
  PENDING: { allocated: "CREATING", failed: "ERROR" },
  CREATING: { succeeded: "RUNNING", failed: "ERROR" },
  RUNNING: {
    scale: "SCALING",
    update: "UPDATING",
    suspend: "SUSPENDED",
    snapshot: "SNAPSHOTTING",
    restore: "RESTORING",
    delete: "DELETING",
    // a deferred action (suspend) that failed once it may have changed the host
    failed: "ERROR",
  },
  SCALING: { succeeded: "RUNNING", failed: "ERROR" },
  UPDATING: { succeeded: "RUNNING", failed: "ERROR" },
  SUSPENDED: { resume: "RESUMING", delete: "DELETING" },
  RESUMING: { succeeded: "RUNNING", failed: "ERROR" },
  SNAPSHOTTING: { succeeded: "RUNNING", failed: "ERROR" },
  RESTORING: { succeeded: "RUNNING", failed: "ERROR" },
  DELETING: { succeeded: null, failed: "ERROR" },
  ERROR: { forceDelete: "DELETING", recover: "RUNNING" },
};

export type TransitionResult = { ok: true; next: Target } | { ok: false; message: string; allowedActions: Action[] };

export function allowedActions(phase: VClusterPhase): Action[] {
  const row = TABLE[phase] ?? {};
  return ACTIONS.filter((action) => action in row);
}

export function transition(phase: VClusterPhase, event: LifecycleEvent): TransitionResult {
  const row = TABLE[phase] ?? {};
  if (event in row) return { ok: true, next: row[event] as Target };
  const allowed = allowedActions(phase);
  const offer = allowed.length
    ? `allowed now: ${allowed.join(", ")}`
    : "no action is allowed until the current operation ends";
  return {
    ok: false,
    message: `cannot ${describe(event)} a vcluster in phase ${phase}; ${offer}`,
    allowedActions: allowed,
  };
}

function describe(event: LifecycleEvent): string {
  switch (event) {
    case "forceDelete":
      return "force-delete";
    case "allocated":
      return "start creating";
    case "succeeded":
      return "complete an operation on";
    case "failed":
      return "fail an operation on";
    default:
      return event;
  }
}

/**
 * Phases where a request is acted on without a phase of its own: suspend goes RUNNING → SUSPENDED and recover
 * ERROR → RUNNING only once the host confirms, so until then the operation runs while the phase stays put.
 */
export function isDeferredAction(action: Action): boolean {
  return action === "suspend" || action === "recover";
}
