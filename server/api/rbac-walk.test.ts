import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, type Outcome } from "@/server/testing/call-procedure";
import { setPortalEnv } from "@/server/testing/portal-env";
import {
  CALLERS,
  createWorld,
  LEVEL_RANK,
  PROCEDURE_RULES,
  WHO_RANK,
  type Level,
  type Who,
  type World,
} from "@/server/testing/procedure-rules";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { declarationsOf, levelOf } from "./command";
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
  return outcome.ok
    ? "success"
    : `${outcome.code}${outcome.appCode ? ` (${outcome.appCode})` : ""}: ${outcome.message}`;
}

const declared = declarationsOf(appRouter);
const paths = Object.keys(declared).sort();
const mutations = paths.filter((p) => declared[p].type === "mutation");

describe("RBAC walk over every procedure", () => {
  it("every procedure is declared as a command of its own kind, and every mutation names its audit action", () => {
    expect(
      paths.filter((p) => !declared[p].command),
      "declare these with query(), mutation() or subscription()",
    ).toEqual([]);
    expect(
      paths.filter((p) => declared[p].command && declared[p].command.kind !== declared[p].type),
      "declared as one kind, built as another",
    ).toEqual([]);
    expect(
      mutations.filter((p) => !declared[p].command?.audit),
      "mutations without an audit action",
    ).toEqual([]);
  });

  it("every procedure has an input to walk it with", () => {
    const missing = paths.filter((p) => !(p in PROCEDURE_RULES));
    expect(missing, "add these to server/testing/procedure-rules.ts with an input").toEqual([]);
    const stale = Object.keys(PROCEDURE_RULES).filter((p) => !paths.includes(p));
    expect(stale, "inputs for procedures that no longer exist").toEqual([]);
  });

  it.each(paths.filter((p) => p in PROCEDURE_RULES))(
    "%s: refused below its level, allowed at or above, never leaks another project",
    async (path) => {
      const rule = PROCEDURE_RULES[path];
      const command = declared[path].command;
      if (!command) throw new Error(`${path} is not declared as a command`);
      const min = levelOf(command.scope);
      const problems: string[] = [];
      const isMutation = mutations.includes(path);
      const expectedAction = command.audit?.action;
      for (const who of CALLERS) {
        const actor = world.actor(who);
        const input = await rule.input(world, actor);
        const lastSeq = (await t.db.auditLog.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } }))?.seq ?? 0n;
        const outcome = await callProcedure(t.db, actor, path, input);
        const allowed = WHO_RANK[who] >= LEVEL_RANK[min];
        if (isMutation) {
          // every mutation is audited, refused or not, under the one action its command is known by
          const rows = await t.db.auditLog.findMany({
            where: { seq: { gt: lastSeq } },
            select: { action: true, result: true, actorId: true },
          });
          const own = rows.filter((r) => r.actorId === (actor?.userId ?? null));
          if (own.length === 0) problems.push(`${who}: no audit row for ${describeOutcome(outcome)}`);
          else if (!own.some((r) => r.action === expectedAction))
            problems.push(`${who}: audited as ${own.map((r) => r.action).join(", ")}, not ${expectedAction}`);
          if (!allowed && !own.some((r) => r.result === "REFUSED"))
            problems.push(`${who}: the refusal is not audited as REFUSED`);
        }
        if (!allowed) {
          const expected = expectedRefusals(who, min);
          if (outcome.ok || !expected.includes(outcome.code))
            problems.push(`${who}: expected ${expected.join(" or ")}, got ${describeOutcome(outcome)}`);
          continue;
        }
        // A quota refusal is FORBIDDEN on the wire but is not about who is calling.
        if (!outcome.ok && AUTHORIZATION_CODES.includes(outcome.code) && outcome.appCode !== "QUOTA_EXCEEDED") {
          problems.push(`${who}: allowed at ${min}, got ${describeOutcome(outcome)}`);
        }
        if (who === "otherProject" && outcome.ok) {
          const text = superjson.stringify(outcome.data);
          for (const secret of [
            world.project.id,
            world.vcluster.id,
            world.vcluster.name,
            world.webhookId,
            world.snapshotId,
          ]) {
            if (text.includes(secret))
              problems.push(`${who}: the answer contains ${secret} of a project they are not in`);
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
