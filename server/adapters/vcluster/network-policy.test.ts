import { NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, testSpec, testTarget, type TestHost } from "../test-host";
import { createVClusterAdapter } from "./kubernetes-vcluster-adapter";

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.close();
});

describe("network policies", () => {
  it("installs the vcluster's NetworkPolicy when the spec asks for it", async () => {
    const target = testTarget("netpol");
    await createVClusterAdapter({ kubeconfig: host.sim.kubeconfig }).install(target, testSpec({ enableNetworkPolicies: true }));
    const policies = await host.kc.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace: target.namespace });
    expect(policies.items.length).toBeGreaterThan(0);
    expect(policies.items[0].spec?.policyTypes).toBeDefined();
  });
});
