import { NetworkingV1Api } from "@kubernetes/client-node";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHostCluster } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import { registerHostCluster } from "@/server/services/host-clusters";
import { callerFor } from "@/server/testing/caller";
import {
  startEngineEnvironment,
  TEST_CREDENTIALS_KEY,
  waitForOperation,
  type EngineEnvironment,
} from "@/server/testing/engine-harness";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { setPortalEnv } from "@/server/testing/portal-env";
import { SHARED_ADMIN_WARNING } from "./direct-kubeconfig";

let env: EngineEnvironment;

beforeAll(async () => {
  env = await startEngineEnvironment();
  setPortalEnv(env.t.url);
});
afterAll(async () => {
  await env?.stop();
});

const register = (directAccessHostPattern: string | null) =>
  registerHostCluster(
    env.t.db,
    TEST_CREDENTIALS_KEY,
    { name: "local", kubeconfig: env.sim.kubeconfig, directAccessHostPattern },
    (kc) => probeHostCluster(kc, { requestTimeoutMs: 3_000 }),
  );

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe("direct access through the host's ingress", () => {
  it("refuses a host name pattern that would not give every vcluster a DNS name of its own", async () => {
    for (const [pattern, rule] of [
      ["vc.example.com", "must contain {namespace}"],
      ["{namespace}.{project}.example.com", "only the placeholders"],
      ["{namespace}", "at least two labels"],
      ["{namespace}_x.example.com", "DNS name"],
    ]) {
      await expect(register(pattern)).rejects.toMatchObject({
        code: "INVALID",
        message: expect.stringContaining(rule),
        issues: [{ field: "directAccessHostPattern", message: expect.any(String) }],
      });
    }
  });

  it("exposes each vcluster at its own host name, and gives only OWNERs the shared admin file", async () => {
    await register("{namespace}.vc.example.com");
    const owner = await createUser(env.t.db);
    const member = await createUser(env.t.db);
    const project = await createProject(env.t.db, [
      { userId: owner.id, role: "OWNER" },
      { userId: member.id, role: "MEMBER" },
    ]);
    const asOwner = callerFor(env.t.db, actorOf(owner));
    const created = await asOwner.vcluster.create({ projectId: project.id, name: "direct" });
    expect((await waitForOperation(env.t.db, created.operationId, 120_000)).state).toBe("SUCCEEDED");
    const { namespace } = created.vcluster;
    const host = `${namespace}.vc.example.com`;

    const ingresses = await env.hostConfig.makeApiClient(NetworkingV1Api).listNamespacedIngress({ namespace });
    expect(ingresses.items.map((i) => i.spec?.rules?.[0]?.host)).toEqual([host]);
    expect((await asOwner.vcluster.get({ id: created.vcluster.id })).directKubeconfigOffered).toBe(true);
    expect(
      (await callerFor(env.t.db, actorOf(member)).vcluster.get({ id: created.vcluster.id })).directKubeconfigOffered,
    ).toBe(false);

    const file = await asOwner.vcluster.directKubeconfig({ id: created.vcluster.id });
    expect(file).toMatchObject({
      server: `https://${host}`,
      fileName: "direct.admin.kubeconfig.yaml",
      warning: expect.stringContaining(SHARED_ADMIN_WARNING),
    });
    expect(file.kubeconfig).toContain("client-certificate-data");
    expect(
      (await refusal(callerFor(env.t.db, actorOf(member)).vcluster.directKubeconfig({ id: created.vcluster.id }))).code,
    ).toBe("FORBIDDEN");
    const audit = await env.t.db.auditLog.findMany({
      where: { targetId: created.vcluster.id, action: "vcluster.direct_kubeconfig_download" },
      orderBy: { seq: "asc" },
    });
    expect(audit.map((a) => `${a.result}:${a.actorId === owner.id ? "owner" : "member"}`)).toEqual([
      "SUCCESS:owner",
      "REFUSED:member",
    ]);
  });

  it("offers nothing on a host without direct access", async () => {
    await register(null);
    const owner = await createUser(env.t.db);
    const project = await createProject(env.t.db, [{ userId: owner.id, role: "OWNER" }]);
    const api = callerFor(env.t.db, actorOf(owner));
    const created = await api.vcluster.create({ projectId: project.id, name: "gateway-only" });
    expect((await waitForOperation(env.t.db, created.operationId, 120_000)).state).toBe("SUCCEEDED");
    expect((await api.vcluster.get({ id: created.vcluster.id })).directKubeconfigOffered).toBe(false);
    const refused = await refusal(api.vcluster.directKubeconfig({ id: created.vcluster.id }));
    expect(refused.message).toContain("has no direct access");
  });
});
