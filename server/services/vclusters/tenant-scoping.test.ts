import { CoreV1Api } from "@kubernetes/client-node";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "@/server/testing/caller";
import { startEngineEnvironment, waitForOperation, type EngineEnvironment } from "@/server/testing/engine-harness";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { setPortalEnv } from "@/server/testing/portal-env";

let env: EngineEnvironment;

beforeAll(async () => {
  env = await startEngineEnvironment();
  setPortalEnv(env.t.url);
});
afterAll(async () => {
  await env?.stop();
});

async function tenant() {
  const user = await createUser(env.t.db);
  const project = await createProject(env.t.db, [{ userId: user.id, role: "MEMBER" }]);
  return { user, project, api: callerFor(env.t.db, actorOf(user)) };
}

describe("what one tenant sends never reaches another's", () => {
  it("an idempotency key reused by another tenant creates that tenant's own vcluster, and reveals nothing", async () => {
    const a = await tenant();
    const b = await tenant();
    const first = await a.api.vcluster.create({
      projectId: a.project.id,
      name: "secret-a",
      labels: { team: "a" },
      idempotencyKey: "shared-key-0001",
    });
    expect(
      (await a.api.vcluster.create({ projectId: a.project.id, name: "secret-a", idempotencyKey: "shared-key-0001" }))
        .vcluster.id,
    ).toBe(first.vcluster.id);
    const theirs = await b.api.vcluster.create({
      projectId: b.project.id,
      name: "mine-b",
      idempotencyKey: "shared-key-0001",
    });
    expect(theirs.vcluster).toMatchObject({ name: "mine-b", projectId: b.project.id });
    expect(JSON.stringify(theirs)).not.toContain("secret-a");
    expect(await env.t.db.vCluster.count({ where: { projectId: b.project.id } })).toBe(1);
  });

  it("the project's host selector holds against a vcluster's own", async () => {
    const a = await tenant();
    await env.t.db.project.update({ where: { id: a.project.id }, data: { hostSelector: { tier: "restricted" } } });
    const refused = await a.api.vcluster
      .create({ projectId: a.project.id, name: "escape", hostSelector: { tier: "shared" } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).message).toContain("hostSelector.tier");
    expect(await env.t.db.vCluster.count({ where: { projectId: a.project.id } })).toBe(0);
  });

  it("a tenant's labels cannot switch Pod Security off on the host namespace; the host's level is enforced", async () => {
    const a = await tenant();
    const created = await a.api.vcluster.create({
      projectId: a.project.id,
      name: "privileged",
      labels: {
        team: "a",
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/warn": "privileged",
      },
    });
    expect((await waitForOperation(env.t.db, created.operationId, 120_000)).state).toBe("SUCCEEDED");
    const ns = await env.hostConfig.makeApiClient(CoreV1Api).readNamespace({ name: created.vcluster.namespace });
    expect(ns.metadata?.labels).toMatchObject({
      team: "a",
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "baseline",
      "pod-security.kubernetes.io/audit": "baseline",
    });
    // the portal keeps the vcluster's own labels; only the host copy is filtered
    expect(created.vcluster.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "privileged" });
  });
});
