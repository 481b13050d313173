import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, type Outcome } from "@/server/testing/call-procedure";
import { setPortalEnv } from "@/server/testing/portal-env";
import { CALLERS, createWorld, LEVEL_RANK, PROCEDURE_RULES, WHO_RANK, type Level, type Who, type World } from "@/server/testing/procedure-rules";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { MUTATION_AUDIT } from "./mutation-audit";
import { appRouter } from "./root";

let t: TestDatabase;
let world: World;

beforeAll(async () => {
  t = await createTestDatabase();
  setPortalEnv(t.url);
  world = await createWorld(t.db);
});
afterAll(async () => {
  await t?.close();
});

const AUTHORIZATION_CODES = ["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"];

/** What a refused caller must get: anonymous callers are asked to sign in; outsiders are not told the project exists. */
function expectedRefusals(who: Who, min: Level): string[] {
  if (who === "anonymous") return ["UNAUTHORIZED"];
  if (who === "otherProject" && min !== "admin") return ["NOT_FOUND", "FORBIDDEN"];
  return ["FORBIDDEN"];
}

function describeOutcome(outcome: Outcome): string {
  return outcome.ok ? "success" : `${outcome.code}${outcome.appCode ? ` (${outcome.appCode})` : ""}: ${outcome.message}`;
}

const paths = Object.keys(appRouter._def.procedures).sort();
const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
const mutations = paths.filter((p) => procedures[p]._def.type === "mutation");

describe("RBAC walk over every procedure", () => {
  it("every procedure declares its authorization rule", () => {
    const missing = paths.filter((p) => !(p in PROCEDURE_RULES));
    expect(missing, "add these to server/testing/procedure-rules.ts with their minimum level and an input").toEqual([]);
    const stale = Object.keys(PROCEDURE_RULES).filter((p) => !paths.includes(p));
    expect(stale, "rules for procedures that no longer exist").toEqual([]);
  });

  it("every mutation names its audit action", () => {
    expect(mutations.filter((p) => !(p in MUTATION_AUDIT)), "add these to server/api/mutation-audit.ts").toEqual([]);
  });

  it.each(paths.filter((p) => p in PROCEDURE_RULES))("%s: refused below its level, allowed at or above, never leaks another project", async (path) => {
    const rule = PROCEDURE_RULES[path];
    const problems: string[] = [];
    const isMutation = mutations.includes(path);
    const expectedAction = MUTATION_AUDIT[path]?.action;
    for (const who of CALLERS) {
      const actor = world.actor(who);
      const input = await rule.input(world, actor);
      const lastSeq = (await t.db.auditLog.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } }))?.seq ?? 0n;
      const outcome = await callProcedure(t.db, actor, path, input);
      const allowed = WHO_RANK[who] >= LEVEL_RANK[rule.min];
      if (isMutation) {
        // every mutation is audited, refused or not, under the one action its command is known by
        const rows = await t.db.auditLog.findMany({ where: { seq: { gt: lastSeq } }, select: { action: true, result: true, actorId: true } });
        const own = rows.filter((r) => r.actorId === (actor?.userId ?? null));
        if (own.length === 0) problems.push(`${who}: no audit row for ${describeOutcome(outcome)}`);
        else if (!own.some((r) => r.action === expectedAction)) problems.push(`${who}: audited as ${own.map((r) => r.action).join(", ")}, not ${expectedAction}`);
        if (!allowed && !own.some((r) => r.result === "REFUSED")) problems.push(`${who}: the refusal is not audited as REFUSED`);
      }
      if (!allowed) {
        const expected = expectedRefusals(who, rule.min);
        if (outcome.ok || !expected.includes(outcome.code)) problems.push(`${who}: expected ${expected.join(" or ")}, got ${describeOutcome(outcome)}`);
        continue;
      }
      // A quota refusal is FORBIDDEN on the wire but is not about who is calling.
      if (!outcome.ok && AUTHORIZATION_CODES.includes(outcome.code) && outcome.appCode !== "QUOTA_EXCEEDED") {
        problems.push(`${who}: allowed at ${rule.min}, got ${describeOutcome(outcome)}`);
      }
      if (who === "otherProject" && outcome.ok) {
        const text = superjson.stringify(outcome.data);
        for (const secret of [world.project.id, world.vcluster.id, world.vcluster.name, world.webhookId, world.snapshotId]) {
          if (text.includes(secret)) problems.push(`${who}: the answer contains ${secret} of a project they are not in`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
