import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSim } from "@open-vcluster/hostsim";
import type { Context } from "@/server/api/context";
import { portalDependencies } from "@/server/composition/dependencies";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/auth/actor";
import { createDb, type Db } from "@/server/db/client";
import type { OperationWorker } from "@/server/engine/queue/worker";
import {
  registerTestHost,
  startTestHost,
  TEST_CREDENTIALS_KEY,
  testWorker,
  waitForOperation,
} from "@/server/testing/engine-harness";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { changeFeedFor } from "./change-feed";

let t: TestDatabase;
let otherInstanceDb: Db;
let sim: HostSim;
let worker: OperationWorker;
const stops: AbortController[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.HOST_CREDENTIALS_KEY = TEST_CREDENTIALS_KEY;
  process.env.NEXTAUTH_SECRET ??= "x".repeat(40);
  otherInstanceDb = createDb(t.url);
  // Two app instances: each database client has its own feed, its own LISTEN connection and its own polling.
  changeFeedFor(t.db, { listenUrl: t.url, pollMs: 200 });
  changeFeedFor(otherInstanceDb, { listenUrl: t.url, pollMs: 200 });
  sim = await startTestHost();
  await registerTestHost(t.db, "local", sim.kubeconfig);
  worker = testWorker(t.db, t.url);
  await worker.start();
});
afterAll(async () => {
  for (const s of stops) s.abort();
  await worker?.stop();
  await sim?.close();
  await otherInstanceDb?.$disconnect();
  await t?.close();
});

function callerOn(db: Db, actor: Actor, signal?: AbortSignal) {
  const ctx: Context = {
    db,
    deps: portalDependencies(db),
    actor,
    authError: null,
    requestId: "test",
    ip: "127.0.0.1",
    userAgent: "vitest",
  };
  return createCaller(ctx, { signal });
}

interface Seen {
  vclusterId: string;
  projectId: string | null;
  phase: string | null;
}

/** Subscribes on `db` as `actor` and collects every event in the background. */
async function watch(db: Db, actor: Actor, input: { projectId?: string } = {}) {
  const stop = new AbortController();
  stops.push(stop);
  const events = await callerOn(db, actor, stop.signal).vcluster.watch(input);
  const seen: Seen[] = [];
  const done = (async () => {
    for await (const e of events)
      seen.push({
        vclusterId: e.vclusterId,
        projectId: e.vcluster?.projectId ?? null,
        phase: e.vcluster?.phase ?? null,
      });
  })();
  return { seen, done, stop: () => stop.abort() };
}

/** Waits (bounded, to stop a hung test only) until `seen` has an event matching `match`. */
async function until(seen: Seen[], match: (s: Seen) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!seen.some(match)) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}; saw ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("vcluster.watch across instances", () => {
  it("a subscriber on one instance sees changes made through another, and nothing of other projects", async () => {
    const member = await createUser(t.db);
    const outsider = await createUser(t.db);
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const mine = await createProject(t.db, [{ userId: member.id, role: "VIEWER" }]);
    const theirs = await createProject(t.db, [{ userId: outsider.id, role: "MEMBER" }]);
    const writer = await createUser(t.db);
    await t.db.membership.create({ data: { userId: writer.id, projectId: mine.id, role: "MEMBER" } });

    const memberWatch = await watch(t.db, actorOf(member));
    const outsiderWatch = await watch(t.db, actorOf(outsider));
    const adminOfTheirs = await watch(t.db, actorOf(admin), { projectId: theirs.id });

    const through = (u: typeof member) => callerOn(otherInstanceDb, actorOf(u));
    const theirCluster = await through(outsider).vcluster.create({
      projectId: theirs.id,
      name: "theirs",
      spec: { kubernetesVersion: "1.31.1" },
    });
    await waitForOperation(t.db, theirCluster.operationId);

    const created = await through(writer).vcluster.create({
      projectId: mine.id,
      name: "watched",
      spec: { kubernetesVersion: "1.31.1" },
    });
    const id = created.vcluster.id;
    await until(memberWatch.seen, (s) => s.vclusterId === id && s.phase === "RUNNING", "the cluster RUNNING");
    const deleted = await through(writer).vcluster.delete({ id, confirmName: "watched" });
    await waitForOperation(t.db, deleted.operationId);
    await until(memberWatch.seen, (s) => s.vclusterId === id && s.phase === null, "the cluster deleted");

    // The outsider's stream is ordered: once it has the later change of their own cluster, it has been offered everything before.
    await through(outsider)
      .vcluster.delete({ id: theirCluster.vcluster.id, confirmName: "theirs" })
      .then((d) => waitForOperation(t.db, d.operationId));
    await until(
      outsiderWatch.seen,
      (s) => s.vclusterId === theirCluster.vcluster.id && s.phase === null,
      "their own cluster deleted",
    );
    await until(
      adminOfTheirs.seen,
      (s) => s.vclusterId === theirCluster.vcluster.id && s.phase === null,
      "the filtered project's cluster deleted",
    );

    expect(memberWatch.seen.every((s) => s.vclusterId === id)).toBe(true);
    expect(memberWatch.seen.filter((s) => s.phase !== null).every((s) => s.projectId === mine.id)).toBe(true);
    expect(outsiderWatch.seen.some((s) => s.vclusterId === id)).toBe(false);
    expect(adminOfTheirs.seen.some((s) => s.vclusterId === id)).toBe(false);
    expect(memberWatch.seen.map((s) => s.phase).at(-1)).toBeNull();

    for (const w of [memberWatch, outsiderWatch, adminOfTheirs]) {
      w.stop();
      await w.done;
    }
  });

  it("refuses a project the caller is not in, and anonymous callers", async () => {
    const outsider = await createUser(t.db);
    const project = await createProject(t.db);
    const refusal = await callerOn(t.db, actorOf(outsider))
      .vcluster.watch({ projectId: project.id })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refusal).toBeInstanceOf(TRPCError);
    expect((refusal as TRPCError).code).toBe("NOT_FOUND");
    const ctx: Context = {
      db: t.db,
      deps: portalDependencies(t.db),
      actor: null,
      authError: null,
      requestId: "test",
      ip: null,
      userAgent: null,
    };
    const anonymous = await createCaller(ctx)
      .vcluster.watch({})
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((anonymous as TRPCError).code).toBe("UNAUTHORIZED");
  });

  it("stops hearing about a project as soon as the membership ends", async () => {
    const member = await createUser(t.db);
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const project = await createProject(t.db, [{ userId: member.id, role: "MEMBER" }]);
    const own = await createProject(t.db, [{ userId: member.id, role: "MEMBER" }]);
    const sub = await watch(t.db, actorOf(member));
    const adminWatch = await watch(t.db, actorOf(admin));
    const create = (as: typeof member, projectId: string, name: string) =>
      callerOn(otherInstanceDb, actorOf(as)).vcluster.create({
        projectId,
        name,
        spec: { kubernetesVersion: "1.31.1" },
      });

    const first = await create(member, project.id, "before");
    await waitForOperation(t.db, first.operationId);
    await until(
      sub.seen,
      (s) => s.vclusterId === first.vcluster.id && s.phase === "RUNNING",
      "the first cluster RUNNING",
    );
    await t.db.membership.delete({ where: { userId_projectId: { userId: member.id, projectId: project.id } } });

    const later = await create(admin, project.id, "after");
    await waitForOperation(t.db, later.operationId);
    await until(
      adminWatch.seen,
      (s) => s.vclusterId === later.vcluster.id && s.phase === "RUNNING",
      "the later cluster RUNNING (admin)",
    );
    // Created only after the feed announced the later cluster, so the member's ordered stream has been offered it.
    const marker = await create(member, own.id, "marker");
    await until(sub.seen, (s) => s.vclusterId === marker.vcluster.id, "the marker cluster");
    expect(sub.seen.some((s) => s.vclusterId === later.vcluster.id)).toBe(false);
    await waitForOperation(t.db, marker.operationId);
    for (const w of [sub, adminWatch]) {
      w.stop();
      await w.done;
    }
  });

  it("ends an open feed when its API token is revoked or the account disabled, with no change needed", async () => {
    const viaToken = await createUser(t.db);
    const disabled = await createUser(t.db);
    const token = await t.db.apiToken.create({
      data: { userId: viaToken.id, name: "feed", prefix: "ovc_feed", tokenHash: `hash-${viaToken.id}` },
    });
    const byToken = await watch(t.db, actorOf(viaToken, token.id));
    const bySession = await watch(t.db, actorOf(disabled));
    await t.db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    await t.db.user.update({ where: { id: disabled.id }, data: { disabled: true } });
    const ended = (w: { done: Promise<void> }) =>
      Promise.race([w.done.then(() => "ended"), new Promise((r) => setTimeout(() => r("still open"), 10_000))]);
    expect(await ended(byToken)).toBe("ended");
    expect(await ended(bySession)).toBe("ended");
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "on a PostgreSQL server, hears a change through LISTEN without waiting for a poll",
    async () => {
      const listenOnly = createDb(t.url);
      const feed = changeFeedFor(listenOnly, { listenUrl: t.url, pollMs: 3_600_000 });
      const member = await createUser(t.db);
      const project = await createProject(t.db, [{ userId: member.id, role: "MEMBER" }]);
      const sub = await watch(listenOnly, actorOf(member));
      const deadline = Date.now() + 30_000;
      while (!feed.listening && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(feed.listening).toBe(true);
      const created = await callerOn(otherInstanceDb, actorOf(member)).vcluster.create({
        projectId: project.id,
        name: "heard",
        spec: { kubernetesVersion: "1.31.1" },
      });
      await until(sub.seen, (s) => s.vclusterId === created.vcluster.id, "the cluster through LISTEN");
      await waitForOperation(t.db, created.operationId);
      sub.stop();
      await sub.done;
      await listenOnly.$disconnect();
    },
  );
});
