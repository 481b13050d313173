import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { startTestSim, tempDir } from "./test-helpers";

describe("persistence", () => {
  it("keeps every object, the CA and the token across a restart", async () => {
    const dataDir = tempDir();
    const first = await startTestSim({ dataDir });
    const core = first.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "keep" } } });
    for (let i = 0; i < 30; i++)
      await core.createNamespacedConfigMap({
        namespace: "keep",
        body: { metadata: { name: `cm-${i}` }, data: { i: String(i) } },
      });
    await core.deleteNamespacedConfigMap({ namespace: "keep", name: "cm-3" });
    const cm = await core.readNamespacedConfigMap({ namespace: "keep", name: "cm-7" });
    await core.replaceNamespacedConfigMap({ namespace: "keep", name: "cm-7", body: { ...cm, data: { i: "changed" } } });
    const before = await core.listNamespacedConfigMap({ namespace: "keep" });
    await Promise.all([first.close(), first.close()]);

    const second = await startTestSim({ dataDir });
    expect(second.sim.adminToken).toBe(first.sim.adminToken);
    expect(second.sim.caPem).toBe(first.sim.caPem);
    const core2 = second.kc.makeApiClient(CoreV1Api);
    const after = await core2.listNamespacedConfigMap({ namespace: "keep" });
    expect(after.items.map((c) => [c.metadata?.name, c.metadata?.uid, c.data?.i])).toEqual(
      before.items.map((c) => [c.metadata?.name, c.metadata?.uid, c.data?.i]),
    );
    expect((await core2.readNamespacedConfigMap({ namespace: "keep", name: "cm-7" })).data?.i).toBe("changed");
    const created = await core2.createNamespacedConfigMap({ namespace: "keep", body: { metadata: { name: "new" } } });
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));
    expect((await second.kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces()).items).toEqual([]);
    await second.close();
  });
});
