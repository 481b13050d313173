import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnginePortal, type EnginePortal } from "@/server/testing/engine-portal";

let portal: EnginePortal;

beforeAll(async () => {
  portal = await startEnginePortal();
}, 90_000);
afterAll(async () => {
  await portal?.stop();
});

type Document = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
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
      const schema = JSON.parse(JSON.stringify(response.content?.["application/json"].schema).replaceAll('"#/components/', '"doc#/components/')) as object;
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
    const checker = new ResponseChecker(document);

    async function call(method: string, template: string, params: Record<string, string>, init: { body?: unknown; query?: Record<string, string>; token?: string | null } = {}) {
      const url = new URL(`${portal.url}/api/v1${template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]))}`);
      for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
      const token = init.token === undefined ? portal.token : init.token;
      const response = await fetch(url, {
        method: method.toUpperCase(),
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(method === "post" ? { "content-type": "application/json" } : {}) },
        body: method === "post" ? JSON.stringify(init.body ?? {}) : undefined,
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
    const invalid = await call("post", "/projects/{projectId}/vclusters", { projectId }, { body: { name: "Bad_Name" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues).toEqual([{ field: "name", message: expect.stringContaining("lower-case") }]);

    const created = await call("post", "/projects/{projectId}/vclusters", { projectId }, { body: { name: "rest-one", spec: { kubernetesVersion: "1.31.1" } } });
    expect(created.status).toBe(200);
    const id = (created.body.vcluster as unknown as { id: string }).id;
    const listed = await call("get", "/projects/{projectId}/vclusters", { projectId }, { query: { sort: "createdAt", limit: "10" } });
    expect(listed.body).toMatchObject({ total: 1, items: [{ id, name: "rest-one" }] });
    await until(id, "RUNNING");
    expect((await call("get", "/projects/{projectId}/vclusters", { projectId }, { query: { phase: "SUSPENDED" } })).body.total).toBe(0);

    const kubeconfig = await call("post", "/vclusters/{id}/kubeconfig", { id });
    expect(kubeconfig.body.kubeconfig).toMatch(/^apiVersion: v1$/m);
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

    await call("delete", "/snapshots/{id}", { id: snapshot.id });
    const wrongName = await call("delete", "/vclusters/{id}", { id }, { query: { confirmName: "other" } });
    expect(wrongName.status).toBeGreaterThanOrEqual(400);
    const deleted = await call("delete", "/vclusters/{id}", { id }, { query: { confirmName: "rest-one", force: "false" } });
    expect(deleted.status).toBe(200);
    // "false" in a query string means false (the library alone would coerce it to true).
    expect((await portal.t.db.operation.findUniqueOrThrow({ where: { id: String(deleted.body.operationId) } })).kind).toBe("DELETE");
    expect((await call("get", "/vclusters/{id}", { id: "no-such-id" })).status).toBe(404);

    // The gateway runs the procedures' middleware: the suspend above was audited as the token's user.
    const audited = await portal.t.db.auditLog.findMany({ where: { targetId: id }, select: { action: true, actorType: true } });
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining([expect.stringContaining("suspend")]));

    const documented = Object.entries(document.paths).flatMap(([template, item]) => Object.keys(item).map((method) => `${method} ${template}`));
    expect([...checker.called].sort()).toEqual(documented.sort());
  }, 90_000);
});
