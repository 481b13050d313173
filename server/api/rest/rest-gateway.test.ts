import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unseal } from "@/server/security/seal";
import { createApiToken } from "@/server/services/api-tokens";
import { TEST_CREDENTIALS_KEY, waitForOperation } from "@/server/testing/engine-harness";
import { startEnginePortal, type EnginePortal } from "@/server/testing/engine-portal";
import { actorOf, createUser } from "@/server/testing/factories";

let portal: EnginePortal;

beforeAll(async () => {
  portal = await startEnginePortal();
}, 90_000);
afterAll(async () => {
  await portal?.stop();
});

type Document = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
};

/** Validates response bodies against the document's own schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12). */
class ResponseChecker {
  private ajv = new Ajv2020({ strict: false, allErrors: true });
  private compiled = new Map<string, ValidateFunction>();
  readonly called = new Set<string>();

  constructor(private document: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: "doc", components: document.components });
  }

  check(method: string, template: string, status: number, body: unknown): void {
    const operation = this.document.paths[template]?.[method];
    expect(operation, `${method} ${template} is in the document`).toBeDefined();
    const response = operation.responses[String(status)];
    expect(response, `${method} ${template} documents ${status}`).toBeDefined();
    const key = `${method} ${template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      // Refs in the document are `#/components/...`; rooted at the document they resolve as written.
      const schema = JSON.parse(
        JSON.stringify(response.content?.["application/json"].schema).replaceAll('"#/components/', '"doc#/components/'),
      ) as object;
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    expect(validate(body), `${key}: ${this.ajv.errorsText(validate.errors)}`).toBe(true);
    if (status < 300) this.called.add(`${method} ${template}`);
  }
}

describe("REST gateway /api/v1", () => {
  it("publishes a valid OpenAPI 3.1 document, and every operation in it answers as documented", async () => {
    const documentResponse = await fetch(`${portal.url}/api/v1/openapi.json`);
    expect(documentResponse.status).toBe(200);
    const document = (await documentResponse.json()) as Document;
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // each operation says who may call it, from the same declaration the middleware enforces
    const operations = Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(
        item as unknown as Record<string, { operationId: string; description?: string; "x-ovc-access"?: unknown }>,
      ),
    );
    expect(operations.filter((o) => !o["x-ovc-access"]).map((o) => o.operationId)).toEqual([]);
    const scale = operations.find((o) => o.operationId === "scaleVCluster");
    expect(scale?.["x-ovc-access"]).toEqual({ scope: "vcluster", role: "MEMBER", audit: "vcluster.scale" });
    expect(scale?.description).toContain("Needs the MEMBER role in the vcluster's project.");
    expect(operations.find((o) => o.operationId === "listHostClusters")?.["x-ovc-access"]).toEqual({
      scope: "platform",
      audit: null,
    });
    const checker = new ResponseChecker(document);

    async function call(
      method: string,
      template: string,
      params: Record<string, string>,
      init: { body?: unknown; query?: Record<string, string>; token?: string | null } = {},
    ) {
      const url = new URL(
        `${portal.url}/api/v1${template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]))}`,
      );
      for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
      const token = init.token === undefined ? portal.token : init.token;
      const hasBody = ["post", "put", "patch"].includes(method);
      const response = await fetch(url, {
        method: method.toUpperCase(),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(hasBody ? { "content-type": "application/json" } : {}),
        },
        body: hasBody ? JSON.stringify(init.body ?? {}) : undefined,
      });
      const body: unknown = await response.json();
      checker.check(method, template, response.status, body);
      return { status: response.status, body: body as Record<string, unknown> & { vcluster: { phase: string } } };
    }

    /** Polls the documented GET until the phase (bounded only so that a hung test ends). */
    async function until(id: string, phase: string): Promise<void> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { body } = await call("get", "/vclusters/{id}", { id });
        if (body.phase === phase) return;
        if (Date.now() > deadline) throw new Error(`still ${String(body.phase)}, wanted ${phase}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    const projectId = portal.project.id;
    expect((await call("get", "/me", {})).body.viaToken).toBe(true);
    expect(await call("get", "/projects", {})).toMatchObject({ status: 200, body: [{ id: projectId, role: "OWNER" }] });

    const unauthenticated = await call("get", "/projects", {}, { token: null });
    expect(unauthenticated).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
    const invalid = await call(
      "post",
      "/projects/{projectId}/vclusters",
      { projectId },
      { body: { name: "Bad_Name" } },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues).toEqual([{ field: "name", message: expect.stringContaining("lower-case") }]);

    const dryRun = await call(
      "post",
      "/projects/{projectId}/vclusters/dry-run",
      { projectId },
      { body: { name: "rest-one", spec: { kubernetesVersion: "1.31.1", enableHa: true, replicas: 3 } } },
    );
    expect(dryRun.body).toMatchObject({
      values: expect.stringContaining("tag: v1.31.1"),
      chart: { version: "0.36.1" },
      hostCluster: { name: "local" },
    });
    expect((await call("get", "/projects/{projectId}/vclusters", { projectId })).body.total).toBe(0);
    const created = await call(
      "post",
      "/projects/{projectId}/vclusters",
      { projectId },
      { body: { name: "rest-one", spec: { kubernetesVersion: "1.31.1", enableHa: true, replicas: 3 } } },
    );
    expect(created.status).toBe(200);
    const id = (created.body.vcluster as unknown as { id: string }).id;
    const listed = await call(
      "get",
      "/projects/{projectId}/vclusters",
      { projectId },
      { query: { sort: "createdAt", limit: "10" } },
    );
    expect(listed.body).toMatchObject({ total: 1, items: [{ id, name: "rest-one" }] });
    await until(id, "RUNNING");
    expect(
      (await call("get", "/projects/{projectId}/vclusters", { projectId }, { query: { phase: "SUSPENDED" } })).body
        .total,
    ).toBe(0);

    const kubeconfig = await call("post", "/vclusters/{id}/kubeconfig", { id });
    expect(kubeconfig.body.kubeconfig).toMatch(/^apiVersion: v1$/m);
    expect(kubeconfig.body.server).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:\\d+/kube/${id}$`));
    const rotated = await call("post", "/vclusters/{id}/kubeconfig/rotate", { id });
    expect(rotated.body.tokenPrefix).not.toBe(kubeconfig.body.tokenPrefix);
    const access = await call("get", "/vclusters/{id}/kube-access", { id });
    const [live] = access.body as unknown as { id: string; prefix: string }[];
    expect(live.prefix).toBe(rotated.body.tokenPrefix);
    expect((await call("post", "/vclusters/{id}/kube-access/{tokenId}/revoke", { id, tokenId: live.id })).body).toEqual(
      { revoked: true },
    );
    expect(await call("post", "/vclusters/{id}/direct-kubeconfig", { id })).toMatchObject({
      status: 412,
      body: { message: expect.stringContaining("has no direct access") },
    });
    // with an ingress of its own, the owner may take the vcluster's own file for direct access
    const exposed = await call(
      "post",
      "/projects/{projectId}/vclusters",
      { projectId },
      { body: { name: "rest-exposed", spec: { ingress: { enabled: true, host: "rest-exposed.vc.example.com" } } } },
    );
    const exposedId = (exposed.body.vcluster as unknown as { id: string }).id;
    await until(exposedId, "RUNNING");
    expect((await call("post", "/vclusters/{id}/direct-kubeconfig", { id: exposedId })).body).toMatchObject({
      server: "https://rest-exposed.vc.example.com",
      warning: expect.stringContaining("Shared admin credentials"),
    });
    const removed = await call(
      "delete",
      "/vclusters/{id}",
      { id: exposedId },
      { query: { confirmName: "rest-exposed" } },
    );
    await waitForOperation(portal.t.db, String(removed.body.operationId));
    const refused = await call("post", "/vclusters/{id}/scale", { id }, { body: { replicas: 9 } });
    expect(refused).toMatchObject({ status: 400, body: { code: "BAD_REQUEST", issues: [{ field: "replicas" }] } });
    await call("post", "/vclusters/{id}/scale", { id }, { body: { replicas: 2 } });
    await until(id, "RUNNING");

    await call("post", "/vclusters/{id}/snapshots", { id }, { body: { name: "first" } });
    await until(id, "RUNNING");
    const snapshots = await call("get", "/vclusters/{id}/snapshots", { id }, { query: { limit: "5" } });
    const [snapshot] = snapshots.body as unknown as { id: string; status: string; sizeBytes: string }[];
    expect(snapshot).toMatchObject({ status: "READY", sizeBytes: expect.stringMatching(/^\d+$/) });
    await call("post", "/vclusters/{id}/restore", { id }, { body: { snapshotId: snapshot.id } });
    await until(id, "RUNNING");

    expect((await call("post", "/vclusters/{id}/suspend", { id }, { body: {} })).status).toBe(200);
    await until(id, "SUSPENDED");
    await call("post", "/vclusters/{id}/resume", { id });
    await until(id, "RUNNING");

    // The rest of the document, each operation once (admin operations with a platform admin's token).
    const db = portal.t.db;
    const admin = await createUser(db, { isPlatformAdmin: true });
    const adminToken = (await createApiToken(db, actorOf(admin), { name: "admin", expiresInDays: 1 })).token;
    const asAdmin = { token: adminToken };
    expect((await call("get", "/ping", {}, { token: null })).body.ok).toBe(true);
    expect((await call("get", "/projects/{projectId}/role", { projectId })).body.role).toBe("OWNER");
    const newProject = await call(
      "post",
      "/projects",
      {},
      { ...asAdmin, body: { slug: `rest-${Date.now()}`, name: "From REST" } },
    );
    expect(newProject.body).toMatchObject({ name: "From REST" });
    expect((await call("post", "/projects", {}, { body: { slug: "not-admin", name: "x" } })).status).toBe(403);

    const colleague = await createUser(db);
    // an owner invites; the colleague answers with a token of their own
    const invited = await call(
      "post",
      "/projects/{projectId}/members",
      { projectId },
      { body: { email: colleague.email.toUpperCase(), role: "VIEWER" } },
    );
    expect(invited.body).toEqual({ status: "invited", email: colleague.email, role: "VIEWER", userId: null });
    const asColleague = {
      token: (await createApiToken(db, actorOf(colleague), { name: "colleague", expiresInDays: 1 })).token,
    };
    const waiting = await call("get", "/me/invitations", {}, asColleague);
    expect(waiting.body).toEqual([expect.objectContaining({ projectId, role: "VIEWER", email: colleague.email })]);
    const invitationId = String((waiting.body as unknown as { id: string }[])[0].id);
    expect((await call("get", "/projects/{projectId}/invitations", { projectId })).body).toEqual([
      expect.objectContaining({ id: invitationId }),
    ]);
    expect((await call("post", "/me/invitations/{invitationId}/accept", { invitationId }, asColleague)).body).toEqual({
      projectId,
      role: "VIEWER",
    });
    const withdrawn = await call(
      "post",
      "/projects/{projectId}/members",
      { projectId },
      { body: { email: "nobody-yet@example.com", role: "MEMBER" } },
    );
    expect(withdrawn.body.status).toBe("invited");
    const pending = (await call("get", "/projects/{projectId}/invitations", { projectId })).body as unknown as {
      id: string;
      email: string;
    }[];
    const nobody = pending.find((i) => i.email === "nobody-yet@example.com")?.id ?? "";
    expect(
      (await call("delete", "/projects/{projectId}/invitations/{invitationId}", { projectId, invitationId: nobody }))
        .body,
    ).toEqual({ id: nobody });
    await call(
      "post",
      "/projects/{projectId}/members",
      { projectId },
      { body: { email: admin.email, role: "MEMBER" } },
    );
    const adminInvitation = ((await call("get", "/me/invitations", {}, asAdmin)).body as unknown as { id: string }[])[0]
      .id;
    expect(
      (await call("post", "/me/invitations/{invitationId}/decline", { invitationId: adminInvitation }, asAdmin)).body,
    ).toEqual({ projectId, role: null });
    await call(
      "patch",
      "/projects/{projectId}/members/{userId}",
      { projectId, userId: colleague.id },
      { body: { role: "MEMBER" } },
    );
    const members = await call("get", "/projects/{projectId}/members", { projectId });
    expect(members.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: colleague.id, role: "MEMBER" })]),
    );
    await call("delete", "/projects/{projectId}/members/{userId}", { projectId, userId: colleague.id });

    // Byte counts are decimal strings both ways, beyond 2^53 included; anything else is refused naming the field.
    const big = "18014398509481984";
    const limits = {
      maxVClusters: 100,
      maxCpuMillis: 1_000_000_000,
      maxMemoryBytes: big,
      maxStorageBytes: big,
      maxSnapshots: 1000,
    };
    const badQuota = await call(
      "put",
      "/projects/{projectId}/quota",
      { projectId },
      { body: { ...limits, maxMemoryBytes: "16GB" } },
    );
    expect(badQuota).toMatchObject({
      status: 400,
      body: { issues: [{ field: "maxMemoryBytes", message: expect.stringContaining("decimal string") }] },
    });
    expect(
      (await call("put", "/projects/{projectId}/quota", { projectId }, { body: { ...limits, maxStorageBytes: 1024 } }))
        .status,
    ).toBe(400);
    // above the platform's ceiling only admins may go
    expect(await call("put", "/projects/{projectId}/quota", { projectId }, { body: limits })).toMatchObject({
      status: 400,
      body: { issues: [{ field: "maxCpuMillis", message: expect.stringContaining("ceiling") }] },
    });
    expect(
      (await call("put", "/projects/{projectId}/quota", { projectId }, { ...asAdmin, body: limits })).body.limits,
    ).toMatchObject({ maxMemoryBytes: big, maxStorageBytes: big });
    const quota = await call("get", "/projects/{projectId}/quota", { projectId });
    expect(quota.body).toMatchObject({
      limits: { maxMemoryBytes: big },
      usage: { vclusters: 1, memoryBytes: expect.stringMatching(/^\d+$/) },
    });

    const hook = await call(
      "post",
      "/projects/{projectId}/webhooks",
      { projectId },
      { body: { url: "https://example.com/hook", events: ["vcluster.failed"] } },
    );
    const hookId = (hook.body.webhook as unknown as { id: string }).id;
    expect(hook.body.secret).toEqual(expect.any(String));
    expect((await call("get", "/projects/{projectId}/webhooks", { projectId })).body).toMatchObject([{ id: hookId }]);
    const delivery = await call("post", "/projects/{projectId}/webhooks/{id}/test", { projectId, id: hookId });
    expect(delivery.status).toBe(200);
    const deliveries = await call(
      "get",
      "/projects/{projectId}/webhooks/{webhookId}/deliveries",
      { projectId, webhookId: hookId },
      { query: { limit: "5" } },
    );
    expect(deliveries.body.items).toMatchObject([{ id: delivery.body.deliveryId }]);
    expect(
      (
        await call(
          "patch",
          "/projects/{projectId}/webhooks/{id}",
          { projectId, id: hookId },
          { body: { active: false } },
        )
      ).body.active,
    ).toBe(false);
    await call("delete", "/projects/{projectId}/webhooks/{id}", { projectId, id: hookId });

    expect(
      (
        await call(
          "patch",
          "/vclusters/{id}",
          { id },
          { body: { spec: { kubernetesVersion: "1.31.1" }, labels: { team: "rest" } } },
        )
      ).status,
    ).toBe(200);
    await until(id, "RUNNING");
    expect((await call("get", "/vclusters/{id}", { id })).body.labels).toEqual({ team: "rest" });
    const sameChart = await call("post", "/vclusters/{id}/upgrade-chart", { id }, { body: { chartVersion: "0.36.1" } });
    expect(sameChart).toMatchObject({
      status: 400,
      body: { issues: [{ field: "chartVersion", message: expect.stringContaining("already runs chart 0.36.1") }] },
    });
    // as if it had been created while the host pinned an older release
    await db.vCluster.update({ where: { id }, data: { chartVersion: "0.30.0" } });
    expect(
      (await call("post", "/vclusters/{id}/upgrade-chart", { id }, { body: { chartVersion: "0.36.1" } })).status,
    ).toBe(200);
    await until(id, "RUNNING");
    await db.vCluster.update({ where: { id }, data: { phase: "ERROR" } });
    expect((await call("post", "/vclusters/{id}/recover", { id })).status).toBe(200);
    await until(id, "RUNNING");

    expect((await call("get", "/snapshots/{id}", { id: snapshot.id })).body).toMatchObject({
      id: snapshot.id,
      sizeBytes: snapshot.sizeBytes,
    });
    expect((await call("get", "/snapshots", {}, { query: { projectId } })).body).toMatchObject([{ id: snapshot.id }]);
    const preview = await call(
      "get",
      "/vclusters/{vclusterId}/restore-preview",
      { vclusterId: id },
      { query: { snapshotId: snapshot.id, prune: "false" } },
    );
    expect(preview.body).toMatchObject({
      create: expect.any(Array),
      change: expect.any(Array),
      delete: expect.any(Array),
    });
    await call(
      "put",
      "/vclusters/{vclusterId}/snapshot-policy",
      { vclusterId: id },
      { body: { keepLast: 3, schedule: null } },
    );
    expect((await call("get", "/vclusters/{vclusterId}/snapshot-policy", { vclusterId: id })).body).toMatchObject({
      keepLast: 3,
      schedule: null,
    });
    const clone = await call(
      "post",
      "/snapshots/{snapshotId}/clone",
      { snapshotId: snapshot.id },
      { body: { name: "rest-clone" } },
    );
    await until((clone.body.vcluster as unknown as { id: string }).id, "RUNNING");

    const owner = await db.user.findUniqueOrThrow({
      where: { id: (await db.apiToken.findFirstOrThrow({ where: { name: "tests" } })).userId },
    });
    const notification = await db.notification.create({
      data: { userId: owner.id, kind: "test", title: "hello", body: "from the test" },
    });
    expect((await call("get", "/notifications/unread-count", {})).body.unread).toBeGreaterThanOrEqual(1);
    expect(
      (await call("get", "/notifications", {}, { query: { unreadOnly: "false", limit: "5" } })).body.items,
    ).toEqual(expect.arrayContaining([expect.objectContaining({ id: notification.id })]));
    expect((await call("post", "/notifications/read", {}, { body: { ids: [notification.id] } })).body.marked).toBe(1);
    await call("post", "/notifications/read-all", {});

    const spare = await createApiToken(db, actorOf(owner), { name: "spare", expiresInDays: 1 });
    expect((await call("get", "/tokens", {})).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: spare.view.id, revokedAt: null })]),
    );
    expect((await call("post", "/tokens/{id}/revoke", { id: spare.view.id })).body.revokedAt).toEqual(
      expect.any(String),
    );

    expect((await call("get", "/users", {}, asAdmin)).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: admin.id })]),
    );
    expect((await call("get", "/users", {})).status).toBe(403);
    expect((await call("post", "/users/{userId}/revoke-sessions", { userId: owner.id }, asAdmin)).body).toEqual({
      revoked: 0,
    });
    const local = await db.hostCluster.findUniqueOrThrow({ where: { name: "local" } });
    const registered = await call(
      "post",
      "/host-clusters",
      {},
      {
        ...asAdmin,
        body: {
          name: "rest-host",
          kubeconfig: unseal(local.credentialsEncrypted, TEST_CREDENTIALS_KEY),
          capacityMemoryBytes: big,
        },
      },
    );
    const hostId = String(registered.body.id);
    expect(
      (await call("post", "/host-clusters/{id}/cordon", { id: hostId }, { ...asAdmin, body: { cordoned: true } })).body,
    ).toEqual({ id: hostId, cordoned: true });
    const hosts = await call("get", "/host-clusters", {}, asAdmin);
    expect(hosts.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: hostId, capacityMemoryBytes: big, cordoned: true })]),
    );

    const audit = await call("get", "/audit", {}, { ...asAdmin, query: { action: "quota.set", limit: "5" } });
    // the owner's try above the ceiling is a refusal on record, beside the admin's change
    expect(audit.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "quota.set", result: "SUCCESS", seq: expect.stringMatching(/^\d+$/) }),
        expect.objectContaining({ action: "quota.set", result: "REFUSED" }),
      ]),
    );
    expect((await call("get", "/audit", {}, { ...asAdmin, query: { from: "not a date" } })).status).toBe(400);
    expect((await call("get", "/audit/verify", {}, asAdmin)).body).toMatchObject({
      ok: true,
      lastSeq: expect.stringMatching(/^\d+$/),
    });

    await call("delete", "/snapshots/{id}", { id: snapshot.id });
    const wrongName = await call("delete", "/vclusters/{id}", { id }, { query: { confirmName: "other" } });
    expect(wrongName.status).toBeGreaterThanOrEqual(400);
    const deleted = await call(
      "delete",
      "/vclusters/{id}",
      { id },
      { query: { confirmName: "rest-one", force: "false" } },
    );
    expect(deleted.status).toBe(200);
    // "false" in a query string means false (the library alone would coerce it to true).
    expect(
      (await portal.t.db.operation.findUniqueOrThrow({ where: { id: String(deleted.body.operationId) } })).kind,
    ).toBe("DELETE");
    expect((await call("get", "/vclusters/{id}", { id: "no-such-id" })).status).toBe(404);

    // The gateway runs the procedures' middleware: the suspend above was audited as the token's user.
    const audited = await portal.t.db.auditLog.findMany({
      where: { targetId: id },
      select: { action: true, actorType: true },
    });
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining([expect.stringContaining("suspend")]));

    const documented = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.keys(item).map((method) => `${method} ${template}`),
    );
    expect([...checker.called].sort()).toEqual(documented.sort());
  }, 180_000);
});
