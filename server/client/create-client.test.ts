import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "@/server/api/root";
import { createApiToken } from "@/server/services/api-tokens";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { startPortal, type PortalServer } from "@/server/testing/portal-server";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { createClient } from "./create-client";

let t: TestDatabase;
let first: PortalServer;
let second: PortalServer;

beforeAll(async () => {
  t = await createTestDatabase();
  // No engine: clusters stay PENDING, which is change enough, and the instances need no host credentials.
  const env = { ENGINE_IN_PROCESS: "false" };
  [first, second] = await Promise.all([
    startPortal({ databaseUrl: t.url, env }),
    startPortal({ databaseUrl: t.url, env }),
  ]);
  await t.db.hostCluster.create({
    data: {
      name: "placeholder",
      apiEndpoint: "https://127.0.0.1:1",
      credentialsEncrypted: "unused",
      capacityCpuMillis: 64_000,
      capacityMemoryBytes: 256n << 30n,
      health: "HEALTHY",
    },
  });
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await t?.close();
});

async function tokenOf(user: { id: string; email: string; isPlatformAdmin: boolean }): Promise<string> {
  return (await createApiToken(t.db, actorOf(user), { name: "test", expiresInDays: 1 })).token;
}

interface Stream {
  ids: string[];
  errors: unknown[];
  close(): void;
}

function subscribe(
  client: ReturnType<typeof createClient>,
  input: Parameters<ReturnType<typeof createClient>["vcluster"]["watch"]["subscribe"]>[0],
): Stream {
  const stream: Stream = { ids: [], errors: [], close: () => undefined };
  const subscription = client.vcluster.watch.subscribe(input, {
    onData: (event) => stream.ids.push(event.vclusterId),
    onError: (error) => stream.errors.push(error),
  });
  stream.close = () => subscription.unsubscribe();
  return stream;
}

/** Bounded wait, only so that a hung test ends. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("createClient against the production build", () => {
  it("lists, mutates and watches over HTTP with a Bearer token; a change through one instance reaches the other's subscribers only", async () => {
    const member = await createUser(t.db);
    const outsider = await createUser(t.db);
    const mine = await createProject(t.db, [{ userId: member.id, role: "MEMBER" }]);
    const theirs = await createProject(t.db, [{ userId: outsider.id, role: "MEMBER" }]);
    const onFirst = createClient({ url: first.url, token: await tokenOf(member) });
    const onSecond = createClient({ url: `${second.url}/`, token: await tokenOf(member) });
    const outsiderOnFirst = createClient({ url: first.url, token: await tokenOf(outsider) });

    const watching = subscribe(onFirst, {});
    const outsiderWatching = subscribe(outsiderOnFirst, {});
    const refused = subscribe(outsiderOnFirst, { projectId: mine.id });
    await until(() => refused.errors.length > 0, "the refusal of another project's stream");
    expect(refused.errors[0]).toBeInstanceOf(TRPCClientError);
    expect((refused.errors[0] as TRPCClientError<AppRouter>).data?.code).toBe("NOT_FOUND");

    const created = await onSecond.vcluster.create.mutate({
      projectId: mine.id,
      name: "over-http",
      spec: { kubernetesVersion: "1.31.1" },
    });
    await until(() => watching.ids.includes(created.vcluster.id), "the change on the other instance");
    // Made after the first instance announced ours, so the outsider's ordered stream was offered ours before this.
    const theirsCreated = await outsiderOnFirst.vcluster.create.mutate({
      projectId: theirs.id,
      name: "theirs",
      spec: { kubernetesVersion: "1.31.1" },
    });
    await until(() => outsiderWatching.ids.includes(theirsCreated.vcluster.id), "the outsider's own change");
    expect(outsiderWatching.ids).not.toContain(created.vcluster.id);
    for (const s of [watching, outsiderWatching, refused]) s.close();

    const page = await onFirst.vcluster.list.query({ projectId: mine.id });
    expect(page.items.map((i) => [i.name, i.phase, i.createdAt instanceof Date])).toEqual([
      ["over-http", "PENDING", true],
    ]);
    const denied = await outsiderOnFirst.vcluster.get.query({ id: created.vcluster.id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((denied as TRPCClientError<AppRouter>).data?.code).toBe("NOT_FOUND");
    const bad = await createClient({ url: first.url, token: "ovc_not-a-token" })
      .me.get.query()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((bad as TRPCClientError<AppRouter>).data?.code).toBe("UNAUTHORIZED");
  });

  it("the example script prints the clusters as a table", async () => {
    const user = await createUser(t.db);
    const project = await createProject(t.db, [{ userId: user.id, role: "MEMBER" }]);
    const client = createClient({ url: first.url, token: await tokenOf(user) });
    await client.vcluster.create.mutate({
      projectId: project.id,
      name: "in-the-table",
      spec: { kubernetesVersion: "1.31.1" },
    });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", path.resolve("server/client/example-list-clusters.ts")],
      {
        env: { ...process.env, OVC_URL: second.url, OVC_TOKEN: await tokenOf(user) },
      },
    );
    expect(stdout).toMatch(/│.*in-the-table.*│.*PENDING.*│/);
    expect(stdout).toContain("1 vcluster(s)");
  });
});
