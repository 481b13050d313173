import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { recordClusterEvent, recordQuotaThreshold } from "./cluster-events";
import { backoffMs as webhookBackoffMs } from "@/server/backoff";
import { NO_ANSWER, startWebhookDispatcher } from "./webhook-dispatcher";
import { verifyWebhookSignature } from "./webhook-signature";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers each request with the next status of its script (then 200). */
class Receiver {
  received: Received[] = [];
  constructor(
    private server: Server,
    readonly url: string,
  ) {}

  static async start(script: (number | "hang")[] = []): Promise<Receiver> {
    const answers = [...script];
    let receiver: Receiver | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        receiver?.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        const answer = answers.shift() ?? 200;
        if (answer === "hang") return;
        res.statusCode = answer;
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=abc`);
    return receiver;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let t: TestDatabase;
let credentialsKey: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  // The router reads its sealing key from the validated environment, as in production.
  credentialsKey = randomBytes(32).toString("hex");
  process.env.HOST_CREDENTIALS_KEY = credentialsKey;
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= t.url;
  // the receivers here listen on loopback, as an on-premises receiver would on a range the admins allow
  process.env.WEBHOOK_ALLOWED_PRIVATE_RANGES = "127.0.0.1/32";
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});
afterAll(async () => {
  await t.close();
});

async function ownedProject() {
  const owner = await createUser(t.db);
  const project = await createProject(t.db, [{ userId: owner.id, role: "OWNER" }]);
  return { owner, project, caller: callerFor(t.db, actorOf(owner)) };
}

async function receiver(script: (number | "hang")[] = []): Promise<Receiver> {
  const r = await Receiver.start(script);
  cleanups.push(() => r.close());
  return r;
}

function dispatcher(options: { maxAttempts?: number; timeoutMs?: number } = {}) {
  const d = startWebhookDispatcher({
    db: t.db,
    credentialsKey,
    pollMs: 20,
    backoffBaseMs: 20,
    backoffCapMs: 100,
    ...options,
  });
  cleanups.push(() => d.stop());
  return d;
}

async function settled(deliveryId: string, limitMs = 20_000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const d = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
    if (d.deliveredAt || d.failedAt) return d;
    if (Date.now() > deadline) throw new Error(`delivery ${deliveryId} still pending after ${d.attempts} attempts`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("webhook management", () => {
  it("creates a webhook whose secret is shown once and stored sealed; updates, lists and deletes it, each audited", async () => {
    const { caller, project, owner } = await ownedProject();
    const { webhook, secret } = await caller.webhook.create({
      projectId: project.id,
      url: "https://example.test/hook?key=s3cret",
      events: ["vcluster.failed"],
    });
    expect(secret).toMatch(/^whsec_/);
    const stored = await t.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(stored.secretEncrypted).not.toContain(secret);
    const listed = await caller.webhook.list({ projectId: project.id });
    expect(listed).toEqual([webhook]);
    expect(JSON.stringify(listed)).not.toContain(secret);

    const updated = await caller.webhook.update({
      projectId: project.id,
      id: webhook.id,
      events: ["vcluster.failed", "quota.threshold"],
      active: false,
    });
    expect(updated).toMatchObject({ events: ["vcluster.failed", "quota.threshold"], active: false });
    expect(await caller.webhook.delete({ projectId: project.id, id: webhook.id })).toEqual({ id: webhook.id });
    expect(await caller.webhook.list({ projectId: project.id })).toEqual([]);

    const trail = await t.db.auditLog.findMany({ where: { actorId: owner.id }, orderBy: { seq: "asc" } });
    expect(trail.map((r) => r.action)).toEqual(["webhook.create", "webhook.update", "webhook.delete"]);
    const everything = JSON.stringify(trail, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain("s3cret");
  });

  it("refuses URLs that are not http(s), and unknown events, naming the field", async () => {
    const { caller, project } = await ownedProject();
    for (const url of ["ftp://example.test/x", "not a url", "https://user:pw@example.test/"]) {
      const error = (await caller.webhook
        .create({ projectId: project.id, url, events: ["webhook.test"] })
        .catch((e: unknown) => e)) as TRPCError;
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain("url");
    }
    const events = (await caller.webhook
      .create({ projectId: project.id, url: "http://127.0.0.1:1/", events: ["vcluster.exploded" as "vcluster.failed"] })
      .catch((e: unknown) => e)) as TRPCError;
    expect(events.code).toBe("BAD_REQUEST");
    expect(events.message).toContain("events");
  });

  it("is for project owners: viewers and members are FORBIDDEN, other tenants get NOT_FOUND", async () => {
    const { caller, project } = await ownedProject();
    const { webhook } = await caller.webhook.create({
      projectId: project.id,
      url: "http://127.0.0.1:9/",
      events: ["webhook.test"],
    });
    const viewer = await createUser(t.db);
    const member = await createUser(t.db);
    await t.db.membership.createMany({
      data: [
        { userId: viewer.id, projectId: project.id, role: "VIEWER" },
        { userId: member.id, projectId: project.id, role: "MEMBER" },
      ],
    });
    const other = await ownedProject();
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => "OK",
        (e: unknown) => (e as TRPCError).code,
      );

    for (const user of [viewer, member]) {
      const c = callerFor(t.db, actorOf(user));
      expect(await codeOf(c.webhook.list({ projectId: project.id }))).toBe("FORBIDDEN");
      expect(
        await codeOf(c.webhook.create({ projectId: project.id, url: "http://127.0.0.1:9/", events: ["webhook.test"] })),
      ).toBe("FORBIDDEN");
      expect(await codeOf(c.webhook.test({ projectId: project.id, id: webhook.id }))).toBe("FORBIDDEN");
      expect(await codeOf(c.webhook.deliveries({ projectId: project.id, webhookId: webhook.id }))).toBe("FORBIDDEN");
    }
    expect(await codeOf(other.caller.webhook.list({ projectId: project.id }))).toBe("NOT_FOUND");
    expect(await codeOf(other.caller.webhook.delete({ projectId: project.id, id: webhook.id }))).toBe("NOT_FOUND");
    // Naming their own project does not reach another project's webhook either.
    expect(
      await codeOf(other.caller.webhook.update({ projectId: other.project.id, id: webhook.id, active: false })),
    ).toBe("NOT_FOUND");
    expect(await codeOf(other.caller.webhook.test({ projectId: other.project.id, id: webhook.id }))).toBe("NOT_FOUND");
    expect(await codeOf(other.caller.webhook.deliveries({ projectId: other.project.id, webhookId: webhook.id }))).toBe(
      "NOT_FOUND",
    );
    expect((await t.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).active).toBe(true);
  });
});

describe("webhook delivery", () => {
  it("sends a test delivery signed with the secret over the raw body, with event and delivery headers", async () => {
    const { caller, project } = await ownedProject();
    const r = await receiver();
    const { webhook, secret } = await caller.webhook.create({
      projectId: project.id,
      url: r.url,
      events: ["vcluster.phase_changed"],
    });
    const { deliveryId } = await caller.webhook.test({ projectId: project.id, id: webhook.id });
    dispatcher();
    const delivery = await settled(deliveryId);
    expect(delivery).toMatchObject({ attempts: 1, responseCode: 200, lastError: null, failedAt: null });

    expect(r.received).toHaveLength(1);
    const [{ headers, body }] = r.received;
    expect(verifyWebhookSignature(secret, body, headers["x-openvcluster-signature"] as string)).toBe(true);
    expect(verifyWebhookSignature("whsec_wrong", body, headers["x-openvcluster-signature"] as string)).toBe(false);
    expect(headers["x-openvcluster-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(headers["x-openvcluster-event"]).toBe("webhook.test");
    expect(headers["x-openvcluster-delivery"]).toBe(deliveryId);
    expect(headers["content-type"]).toBe("application/json");
    expect(JSON.parse(body)).toMatchObject({
      event: "webhook.test",
      projectId: project.id,
      data: { webhookId: webhook.id },
    });

    const log = await caller.webhook.deliveries({ projectId: project.id, webhookId: webhook.id });
    expect(log.items).toMatchObject([
      { id: deliveryId, event: "webhook.test", attemptLog: [{ attempt: 1, responseCode: 200, error: null }] },
    ]);
  });

  it("retries a failing receiver with backoff and logs every attempt: 500, 500, then delivered", async () => {
    const { caller, project } = await ownedProject();
    const r = await receiver([500, 503]);
    const { webhook } = await caller.webhook.create({ projectId: project.id, url: r.url, events: ["webhook.test"] });
    const { deliveryId } = await caller.webhook.test({ projectId: project.id, id: webhook.id });
    dispatcher();
    const delivery = await settled(deliveryId);
    expect(delivery).toMatchObject({ attempts: 3, responseCode: 200, failedAt: null });
    expect(delivery.deliveredAt).not.toBeNull();
    const log = await caller.webhook.deliveries({ projectId: project.id, webhookId: webhook.id });
    expect(log.items[0].attemptLog.map((a) => [a.attempt, a.responseCode, a.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 503, "HTTP 503"],
      [3, 200, null],
    ]);
    expect(new Set(r.received.map((x) => x.headers["x-openvcluster-delivery"]))).toEqual(new Set([deliveryId]));
  });

  it("gives up after the last attempt, recording timeouts and refused connections", async () => {
    const { caller, project } = await ownedProject();
    const r = await receiver(["hang", "hang"]);
    const { webhook } = await caller.webhook.create({ projectId: project.id, url: r.url, events: ["webhook.test"] });
    const { deliveryId } = await caller.webhook.test({ projectId: project.id, id: webhook.id });
    dispatcher({ maxAttempts: 2, timeoutMs: 200 });
    const delivery = await settled(deliveryId);
    expect(delivery).toMatchObject({ attempts: 2, deliveredAt: null, lastError: NO_ANSWER });
    expect(delivery.failedAt).not.toBeNull();

    const closed = await receiver();
    await closed.close();
    const dead = await caller.webhook.create({ projectId: project.id, url: closed.url, events: ["webhook.test"] });
    const second = await caller.webhook.test({ projectId: project.id, id: dead.webhook.id });
    const refused = await settled(second.deliveryId);
    expect(refused).toMatchObject({ attempts: 2, responseCode: null });
    // the same words as a timeout: the log must not tell closed ports from silent ones
    expect(refused.lastError).toBe(NO_ANSWER);
  });

  it("queues cluster and quota events for subscribed webhooks only, and two dispatchers send each once", async () => {
    const { caller, project, owner } = await ownedProject();
    const r = await receiver();
    const failures = await caller.webhook.create({
      projectId: project.id,
      url: r.url,
      events: ["vcluster.failed", "quota.threshold"],
    });
    await caller.webhook.create({
      projectId: project.id,
      url: r.url,
      events: ["vcluster.phase_changed"],
      active: false,
    });
    const events = 10;
    for (let i = 0; i < events; i++) {
      const recorded = await t.db.$transaction((tx) =>
        recordClusterEvent(tx, {
          kind: "failed",
          vclusterId: `vc-${i}`,
          vclusterName: `c${i}`,
          projectId: project.id,
          ownerId: owner.id,
          phase: "ERROR",
        }),
      );
      expect(recorded.deliveries).toBe(1);
      await t.db.$transaction((tx) =>
        recordClusterEvent(tx, {
          kind: "phase_changed",
          vclusterId: `vc-${i}`,
          vclusterName: `c${i}`,
          projectId: project.id,
          ownerId: owner.id,
          phase: "RUNNING",
        }),
      );
    }
    expect(
      (
        await t.db.$transaction((tx) =>
          recordQuotaThreshold(tx, { projectId: project.id, resource: "memory", used: 8, limit: 10, percent: 80 }),
        )
      ).deliveries,
    ).toBe(1);
    expect(
      (
        await t.db.$transaction((tx) =>
          recordQuotaThreshold(tx, { projectId: project.id, resource: "memory", used: 9, limit: 10, percent: 80 }),
        )
      ).deliveries,
    ).toBe(0);

    dispatcher();
    dispatcher();
    const deadline = Date.now() + 20_000;
    while (r.received.length < events + 1 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 25));
    await new Promise((res) => setTimeout(res, 200));
    const ids = r.received.map((x) => x.headers["x-openvcluster-delivery"]);
    expect(ids).toHaveLength(events + 1);
    expect(new Set(ids).size).toBe(events + 1);
    const byEvent = r.received.map((x) => x.headers["x-openvcluster-event"]);
    expect(byEvent.filter((e) => e === "vcluster.failed")).toHaveLength(events);
    expect(byEvent).toContain("quota.threshold");
    expect(await t.db.webhookDelivery.count({ where: { webhookId: failures.webhook.id, deliveredAt: null } })).toBe(0);
  });

  it("pages the delivery log", async () => {
    const { caller, project } = await ownedProject();
    const { webhook } = await caller.webhook.create({
      projectId: project.id,
      url: "http://127.0.0.1:9/",
      events: ["webhook.test"],
    });
    const queued: string[] = [];
    for (let i = 0; i < 5; i++)
      queued.push((await caller.webhook.test({ projectId: project.id, id: webhook.id })).deliveryId);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await caller.webhook.deliveries({ projectId: project.id, webhookId: webhook.id, limit: 2, cursor });
      seen.push(...page.items.map((d) => d.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...queued].reverse());
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(webhookBackoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(webhookBackoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(webhookBackoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(webhookBackoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
