import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure } from "@/server/testing/call-procedure";
import { setPortalEnv } from "@/server/testing/portal-env";
import { createWorld, PROCEDURE_RULES, type Who, type World } from "@/server/testing/procedure-rules";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
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

type Path = (string | number)[];

/** Every place inside a value that a mutation can hit: the value itself, and each field and element below it. */
function placesIn(value: unknown, at: Path = []): Path[] {
  const places: Path[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => places.push(...placesIn(v, [...at, i])));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) places.push(...placesIn(v, [...at, k]));
  return places;
}

function replaceAt(value: unknown, at: Path, replacement: unknown): unknown {
  if (at.length === 0) return replacement;
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  const record = value as Record<string, unknown>;
  return { ...record, [head]: replaceAt(record[head], rest, replacement) };
}

function removeAt(value: unknown, at: Path): unknown {
  if (at.length === 0) return undefined;
  const [head, ...rest] = at;
  if (rest.length > 0) {
    const record = value as Record<string | number, unknown>;
    return replaceAt(value, [head], removeAt(record[head], rest));
  }
  if (Array.isArray(value)) return value.filter((_, i) => i !== head);
  const { [head]: _removed, ...others } = value as Record<string | number, unknown>;
  return others;
}

/** A valid input with one place replaced by an arbitrary JSON value or a string, removed, or given an extra field. */
function mutationsOf(valid: unknown): fc.Arbitrary<unknown> {
  const places = placesIn(valid);
  const place = fc.constantFrom(...places);
  return fc.oneof(
    fc
      .tuple(
        place,
        fc.oneof(fc.jsonValue(), fc.string({ unit: "binary" }), fc.bigInt(), fc.date({ noInvalidDate: true })),
      )
      .map(([at, v]) => replaceAt(valid, at, v)),
    place.map((at) => removeAt(valid, at)),
    fc
      .tuple(fc.string(), fc.jsonValue())
      .map(([k, v]) =>
        valid !== null && typeof valid === "object" && !Array.isArray(valid) ? { ...valid, [k]: v } : { [k]: v },
      ),
  );
}

const paths = Object.keys(appRouter._def.procedures).sort();
const FUZZERS: Who[] = ["admin", "MEMBER"];

describe("random inputs to every procedure never cause an internal error", () => {
  it.each(paths)("%s", async (path) => {
    const rule = PROCEDURE_RULES[path];
    expect(rule, `${path} has no entry in server/testing/procedure-rules.ts`).toBeDefined();
    for (const who of FUZZERS) {
      const actor = world.actor(who);
      const valid = await rule.input(world, actor);
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), mutationsOf(valid)), async (input) => {
          const outcome = await callProcedure(t.db, actor, path, input);
          if (!outcome.ok && outcome.code === "INTERNAL_SERVER_ERROR") throw new Error(`${who}: ${outcome.message}`);
        }),
        { numRuns: 30 },
      );
    }
  });
});
