import { describe, expect, it } from "vitest";
import { readGoYaml, writeGoYaml } from "./go-yaml";

describe("YAML as helm reads it (go-yaml v2, YAML 1.1)", () => {
  it("reads 1.1 booleans and numbers as Go does, and leaves what Go leaves a string", () => {
    expect(
      readGoYaml("a: yes\nb: on\nc: y\nd: 0x10\ne: 010\nf: 0o10\ng: 1_000\nh: 1:20\ni: 2001-12-14\nj: ~\n"),
    ).toEqual({
      a: true,
      b: true,
      c: true,
      d: 16,
      e: 8,
      f: 8,
      g: 1000,
      h: "1:20",
      i: "2001-12-14",
      j: null,
    });
  });

  it.each([
    ["a: &x 1\nb: *x\n", /anchors/],
    ["a: *x\n", /valid YAML|aliases/],
    ["<<: {a: 1}\n", /merge keys/],
    ["a: !!str 1\n", /tags/],
    ["a: 1\na: 2\n", /key a appears twice/],
    ["yes: 1\n", /key yes is read as a boolean/],
    ["1: a\n", /key 1 is read as a number/],
    ["? [a]\n: 1\n", /plain strings/],
    ["a: 1\n---\nb: 2\n", /multiple documents/],
    ["a: [unclosed", /must be valid YAML/],
    [`${Array.from({ length: 20 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")} 1\n`, /nest deeper than 16/],
  ])("refuses %j", (text, message) => {
    expect(() => readGoYaml(text)).toThrow(message);
  });

  it("quotes strings helm would read as booleans or numbers, keys included", () => {
    expect(writeGoYaml({ a: "yes", b: "0o10", c: "0x10", on: "n", d: 5, e: true })).toBe(
      'a: "yes"\nb: "0o10"\nc: "0x10"\n"on": "n"\nd: 5\ne: true\n',
    );
  });
});
