import { describe, expect, it } from "vitest";
import type { HostStatus } from "@/server/adapters/vcluster/types";
import { observeDrift } from "./drift";

const status = (overrides: Partial<HostStatus>): HostStatus => ({
  installed: true,
  controlPlaneKind: "Deployment",
  failure: null,
  paused: false,
  desiredReplicas: 1,
  readyReplicas: 1,
  pausedReplicas: null,
  kubernetesVersion: "v1.31.1",
  apiServerEndpoint: null,
  conditions: [],
  events: [],
  ...overrides,
});

describe("drift", () => {
  it("sees replicas changed, a pause, and a missing control plane on a RUNNING vcluster", () => {
    expect(observeDrift("RUNNING", 1, status({}))?.status).toBe("False");
    expect(observeDrift("RUNNING", 1, status({ desiredReplicas: 2 }))).toMatchObject({
      status: "True",
      reason: "ReplicasChanged",
      message: expect.stringContaining("set to 2 replicas"),
    });
    expect(observeDrift("RUNNING", 1, status({ paused: true, desiredReplicas: 0 }))).toMatchObject({
      reason: "PausedOutsidePortal",
    });
    expect(observeDrift("RUNNING", 1, status({ installed: false }))).toMatchObject({ reason: "ControlPlaneMissing" });
  });

  it("sees a SUSPENDED vcluster resumed outside the portal, and ignores phases in motion", () => {
    expect(observeDrift("SUSPENDED", 1, status({ paused: true, desiredReplicas: 0, readyReplicas: 0 }))?.status).toBe(
      "False",
    );
    expect(observeDrift("SUSPENDED", 1, status({}))).toMatchObject({ status: "True", reason: "ResumedOutsidePortal" });
    expect(observeDrift("SCALING", 1, status({ desiredReplicas: 3 }))).toBeNull();
  });
});
