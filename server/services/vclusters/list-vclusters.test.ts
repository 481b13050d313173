/**
 * `listVClusters` is one hand-written statement for speed (issue 15). Its answers must be the ones the Prisma
 * `findMany` + `count` it replaced gave: that query is kept here as the reference, and both run over data made to
 * hit the edges (ties in every sort key, missing label keys, no host, `_` and `%` in searches, cursors that do not
 * match the filters or do not exist, admins and non-members).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import type { Prisma, VClusterPhase } from "@/server/generated/prisma/client";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { listVClusters, ROW_SELECT, rowOf, type VClusterListQuery, type VClusterPage } from "./list-vclusters";

/** The list as it was written with Prisma's query builder before issue 15. */
async function reference(db: Db, actor: Actor, query: VClusterListQuery): Promise<VClusterPage> {
  const and: Prisma.VClusterWhereInput[] = [];
  if (query.projectId) and.push({ projectId: query.projectId });
  if (!actor.isPlatformAdmin) and.push({ project: { memberships: { some: { userId: actor.userId } } } });
  if (query.phases?.length) and.push({ phase: { in: query.phases } });
  if (query.search) and.push({ name: { contains: query.search.toLowerCase() } });
  if (query.labelSelector) {
    for (const term of query.labelSelector
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean)) {
      const negated = term.startsWith("!");
      const m = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)?\s*([A-Za-z0-9._-]*)$/.exec(negated ? term.slice(1) : term);
      if (!m) throw new Error(`bad term ${term}`);
      const [, key, op, value] = m;
      const present: Prisma.VClusterWhereInput = { labels: { path: [key], string_contains: "" } };
      if (!op) and.push(negated ? { NOT: present } : present);
      else
        and.push(
          op === "!="
            ? { NOT: { labels: { path: [key], equals: value } } }
            : { labels: { path: [key], equals: value } },
        );
    }
  }
  const where: Prisma.VClusterWhereInput = { AND: and };
  const [rows, total] = await Promise.all([
    db.vCluster.findMany({
      where,
      orderBy: [{ [query.sort]: query.order }, { id: query.order }],
      take: query.limit + 1,
      ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
      select: ROW_SELECT,
    }),
    db.vCluster.count({ where }),
  ]);
  const page = rows.slice(0, query.limit);
  return { items: page.map(rowOf), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null, total };
}

let t: TestDatabase;
let member: Actor;
let admin: Actor;
let stranger: Actor;
let projectIds: string[];
const allIds: string[] = [];

const PHASES: VClusterPhase[] = ["RUNNING", "SUSPENDED", "ERROR", "PENDING"];
const LABELS: Record<string, string>[] = [
  { env: "prod", team: "a" },
  { env: "dev" },
  {},
  { env: "", tier: "db" },
  { team: "a_b", "example.com/role": "x" },
];

beforeAll(async () => {
  t = await createTestDatabase();
  const user = await createUser(t.db);
  const adminUser = await createUser(t.db, { isPlatformAdmin: true });
  stranger = actorOf(await createUser(t.db));
  member = actorOf(user);
  admin = actorOf(adminUser);
  const mine = await createProject(t.db, [{ userId: user.id, role: "VIEWER" }]);
  const mineToo = await createProject(t.db, [{ userId: user.id, role: "OWNER" }]);
  const notMine = await createProject(t.db, []);
  projectIds = [mine.id, mineToo.id, notMine.id];
  const host = await t.db.hostCluster.create({
    data: {
      name: "h1",
      apiEndpoint: "https://127.0.0.1:9",
      credentialsEncrypted: "unused",
      capacityCpuMillis: 1_000_000,
      capacityMemoryBytes: 1n << 40n,
      health: "HEALTHY",
    },
  });
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 37; i++) {
    const project = projectIds[i % 3];
    // names repeat across projects and createdAt repeats, so the id tie-break decides the order
    const name = i % 5 === 0 ? `vc_${i}` : `vc-${String(Math.floor(i / 3)).padStart(2, "0")}`;
    const row = await t.db.vCluster.create({
      data: {
        name,
        namespace: `ns-${i}`,
        projectId: project,
        ownerId: user.id,
        hostClusterId: i % 4 === 0 ? null : host.id,
        labels: LABELS[i % LABELS.length],
        kubernetesVersion: "1.31.1",
        cpuRequestMillis: 100,
        cpuLimitMillis: 200,
        memoryRequestBytes: 1n << 20n,
        memoryLimitBytes: 1n << 21n,
        spec: {},
        phase: PHASES[i % PHASES.length],
        replicas: 1 + (i % 3),
        readyReplicas: i % 2,
        createdAt: new Date(base + Math.floor(i / 3) * 1000 + 123),
      },
      select: { id: true },
    });
    allIds.push(row.id);
  }
});
afterAll(async () => {
  await t?.close();
});

function queries(): VClusterListQuery[] {
  const out: VClusterListQuery[] = [];
  for (const sort of ["name", "createdAt", "phase"] as const) {
    for (const order of ["asc", "desc"] as const) {
      out.push({ sort, order, limit: 4 });
      out.push({ sort, order, limit: 200 });
      out.push({ sort, order, limit: 3, phases: ["RUNNING", "ERROR"] });
      out.push({ sort, order, limit: 5, labelSelector: "env" });
      out.push({ sort, order, limit: 5, labelSelector: "!env" });
      out.push({ sort, order, limit: 5, labelSelector: "env!=prod" });
      out.push({ sort, order, limit: 5, labelSelector: "env=,tier==db" });
      out.push({ sort, order, limit: 5, labelSelector: " team = a_b , example.com/role" });
      out.push({ sort, order, limit: 5, labelSelector: "env=dev,!tier,team!=a" });
      out.push({ sort, order, limit: 2, search: "VC_" });
      out.push({ sort, order, limit: 2, search: "%0" });
      out.push({ sort, order, limit: 2, search: "nothing" });
      out.push({ sort, order, limit: 3, projectId: projectIds[1] });
      out.push({ sort, order, limit: 3, projectId: projectIds[2] });
    }
  }
  return out;
}

async function walk(actor: Actor, query: VClusterListQuery): Promise<void> {
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const q = { ...query, cursor };
    const [mine, theirs] = await Promise.all([listVClusters(t.db, actor, q), reference(t.db, actor, q)]);
    expect(mine, JSON.stringify(q)).toEqual(theirs);
    if (!theirs.nextCursor) return;
    cursor = theirs.nextCursor;
  }
  throw new Error("more pages than rows");
}

describe("listVClusters, one statement", () => {
  it("answers every page of every filter, sort and order as the Prisma query did, for a member, an admin and a stranger", async () => {
    for (const actor of [member, admin, stranger]) for (const query of queries()) await walk(actor, query);
  });

  it("answers as before for a cursor that does not exist or that the filters exclude", async () => {
    for (const cursor of ["no-such-id", ...allIds.slice(0, 8)]) {
      for (const query of [
        { sort: "name" as const, order: "asc" as const, limit: 3, cursor },
        { sort: "phase" as const, order: "desc" as const, limit: 3, cursor, phases: ["PENDING" as const] },
        { sort: "createdAt" as const, order: "asc" as const, limit: 3, cursor, projectId: projectIds[2] },
      ]) {
        for (const actor of [member, admin])
          expect(await listVClusters(t.db, actor, query)).toEqual(await reference(t.db, actor, query));
      }
    }
  });

  it("refuses a malformed label selector as INVALID before any query", async () => {
    await expect(
      listVClusters(t.db, member, { sort: "name", order: "asc", limit: 5, labelSelector: "env=prod,=x" }),
    ).rejects.toMatchObject({ code: "INVALID" });
  });
});
