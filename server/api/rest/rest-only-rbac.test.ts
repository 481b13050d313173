/** The RBAC walk of server/api/rbac-walk.test.ts, over the REST-only procedures (which the tRPC router does not hold). */
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "@/server/api/context";
import { portalDependencies } from "@/server/composition/dependencies";
import { declarationsOf, levelOf } from "@/server/api/command";
import { createCallerFactory } from "@/server/api/trpc";
import type { Actor } from "@/server/auth/actor";
import { AppError } from "@/server/universal/errors";
import { setPortalEnv } from "@/server/testing/portal-env";
import {
  CALLERS,
  createWorld,
  LEVEL_RANK,
  REST_ONLY_RULES,
  WHO_RANK,
  type Level,
  type Who,
  type World,
} from "@/server/testing/procedure-rules";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { restOnlyRouter } from "./rest-only";

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

const createCaller = createCallerFactory(restOnlyRouter);
type Outcome = { ok: true; data: unknown } | { ok: false; code: string; appCode: string | null; message: string };

async function call(actor: Actor | null, name: string, input: unknown): Promise<Outcome> {
  const ctx: Context = {
    db: t.db,
    deps: portalDependencies(t.db),
    actor,
    authError: null,
    requestId: "test",
    ip: "127.0.0.1",
    userAgent: "vitest",
  };
  const procedure = (createCaller(ctx) as unknown as Record<string, (input: unknown) => Promise<unknown>>)[name];
  try {
    return { ok: true, data: await procedure(input) };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return {
      ok: false,
      code: error.code,
      appCode: error.cause instanceof AppError ? error.cause.code : null,
      message: error.message,
    };
  }
}

function expectedRefusals(who: Who, min: Level): string[] {
  if (who === "anonymous") return ["UNAUTHORIZED"];
  if (who === "otherProject" && min !== "admin") return ["NOT_FOUND", "FORBIDDEN"];
  return ["FORBIDDEN"];
}

const declared = declarationsOf(restOnlyRouter);
const names = Object.keys(declared).sort();

describe("RBAC walk over the REST-only procedures", () => {
  it("every REST-only procedure is declared as a command and has an input to walk it with", () => {
    expect(names.filter((n) => !declared[n].command)).toEqual([]);
    expect(names.filter((n) => !(n in REST_ONLY_RULES))).toEqual([]);
    expect(Object.keys(REST_ONLY_RULES).filter((n) => !names.includes(n))).toEqual([]);
  });

  it.each(names.filter((n) => n in REST_ONLY_RULES))(
    "%s: refused below its level, allowed at or above, never leaks another project",
    async (name) => {
      const rule = REST_ONLY_RULES[name];
      const command = declared[name].command;
      if (!command) throw new Error(`${name} is not declared as a command`);
      const min = levelOf(command.scope);
      const problems: string[] = [];
      for (const who of CALLERS) {
        const actor = world.actor(who);
        const outcome = await call(actor, name, await rule.input(world, actor));
        const describe = outcome.ok
          ? "success"
          : `${outcome.code}${outcome.appCode ? ` (${outcome.appCode})` : ""}: ${outcome.message}`;
        if (WHO_RANK[who] < LEVEL_RANK[min]) {
          const expected = expectedRefusals(who, min);
          if (outcome.ok || !expected.includes(outcome.code))
            problems.push(`${who}: expected ${expected.join(" or ")}, got ${describe}`);
          continue;
        }
        if (
          !outcome.ok &&
          ["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"].includes(outcome.code) &&
          outcome.appCode !== "QUOTA_EXCEEDED"
        )
          problems.push(`${who}: allowed at ${min}, got ${describe}`);
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
