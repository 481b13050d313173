import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seal } from "@/server/security/seal";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { claimDueDelivery, NO_ANSWER, sendClaimedDelivery } from "./webhook-dispatcher";

let t: TestDatabase;
let credentialsKey: string;
let listener: Server;
let hits = 0;
let port = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  credentialsKey = randomBytes(32).toString("hex");
  process.env.HOST_CREDENTIALS_KEY = credentialsKey;
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= t.url;
  delete process.env.WEBHOOK_ALLOWED_PRIVATE_RANGES;
  // an internal service an attacker would like to reach
  listener = createServer((_req, res) => {
    hits++;
    res.end("internal");
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as AddressInfo).port;
});
afterAll(async () => {
  listener?.close();
  await t?.close();
});

async function owner() {
  const user = await createUser(t.db);
  const project = await createProject(t.db, [{ userId: user.id, role: "OWNER" }]);
  return { project, api: callerFor(t.db, actorOf(user)) };
}

const send = { maxAttempts: 1, timeoutMs: 2_000, backoffBaseMs: 10, backoffCapMs: 10, credentialsKey: "" };

describe("webhooks cannot reach inside", () => {
  it("refuses internal and special-purpose addresses in every spelling when a webhook is saved", async () => {
    const { project, api } = await owner();
    const targets = [
      `http://127.0.0.1:${port}/`,
      "http://169.254.169.254/latest/meta-data/",
      "http://[::ffff:169.254.169.254]/",
      "http://0x7f000001/",
      "http://2130706433/",
      "http://127.1/",
      "http://10.0.0.1/",
      "http://192.168.1.1/",
      "http://172.16.0.1/",
      "http://[::1]/",
      "http://[fd00::1]/",
      "http://0.0.0.0/",
      `http://localhost:${port}/`,
    ];
    for (const url of targets) {
      const refused = await api.webhook.create({ projectId: project.id, url, events: ["webhook.test"] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused, url).toBeInstanceOf(TRPCError);
      expect((refused as TRPCError).message, url).toContain("must reach a public address");
    }
    expect(await t.db.webhook.count({ where: { projectId: project.id } })).toBe(0);
    expect(hits).toBe(0);
  });

  it("refuses at connection time what a name resolves to then (DNS rebinding), with a reason that tells nothing", async () => {
    const { project } = await owner();
    // as if the name had resolved to a public address when it was saved
    const hook = await t.db.webhook.create({
      data: {
        projectId: project.id,
        url: `http://localhost:${port}/hook`,
        events: ["webhook.test"],
        secretEncrypted: seal("whsec_x", credentialsKey),
      },
    });
    const delivery = await t.db.webhookDelivery.create({
      data: { webhookId: hook.id, event: "webhook.test", payload: { hello: "world" } },
    });
    const claimed = await claimDueDelivery(t.db, 60_000);
    expect(claimed?.id).toBe(delivery.id);
    await sendClaimedDelivery(t.db, claimed ?? { id: delivery.id, attempts: 1 }, { ...send, credentialsKey });
    const after = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(after).toMatchObject({ responseCode: null, lastError: NO_ANSWER });
    expect(hits).toBe(0);
    // a closed port reads the same
    const closed = await t.db.webhook.create({
      data: {
        projectId: project.id,
        url: "http://203.0.113.1:1/",
        events: ["webhook.test"],
        secretEncrypted: seal("whsec_x", credentialsKey),
      },
    });
    const second = await t.db.webhookDelivery.create({
      data: { webhookId: closed.id, event: "webhook.test", payload: {} },
    });
    const claimedSecond = await claimDueDelivery(t.db, 60_000);
    await sendClaimedDelivery(t.db, claimedSecond ?? { id: second.id, attempts: 1 }, { ...send, credentialsKey });
    expect((await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: second.id } })).lastError).toBe(NO_ANSWER);
  });

  it("delivers to a private range the admins allow", async () => {
    process.env.WEBHOOK_ALLOWED_PRIVATE_RANGES = "127.0.0.1/32";
    try {
      const { project, api } = await owner();
      const { webhook } = await api.webhook.create({
        projectId: project.id,
        url: `http://127.0.0.1:${port}/hook`,
        events: ["webhook.test"],
      });
      const delivery = await t.db.webhookDelivery.create({
        data: { webhookId: webhook.id, event: "webhook.test", payload: {} },
      });
      const claimed = await claimDueDelivery(t.db, 60_000);
      await sendClaimedDelivery(t.db, claimed ?? { id: delivery.id, attempts: 1 }, { ...send, credentialsKey });
      expect(await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
        responseCode: 200,
        lastError: null,
      });
      expect(hits).toBe(1);
    } finally {
      delete process.env.WEBHOOK_ALLOWED_PRIVATE_RANGES;
    }
  });
});
