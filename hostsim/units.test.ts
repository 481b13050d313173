import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeRequest } from "./faults";
import { decodeProtobuf } from "./protobuf";
import { parseQuantity } from "./quantity";
import { matchesLabels, parseLabelSelector } from "./selectors";
import { Store } from "./store";
import { strategicMerge } from "./strategic";
import { tempDir } from "./test-helpers";

describe("quantities", () => {
  it("parses binary, decimal, milli and exponent forms", () => {
    expect(parseQuantity("250m")).toBeCloseTo(0.25);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(parseQuantity("64Mi")).toBe(64 * 2 ** 20);
    expect(parseQuantity("128Ki")).toBe(128 * 1024);
    expect(parseQuantity("1k")).toBe(1000);
    expect(parseQuantity("1M")).toBe(1e6);
    expect(parseQuantity("3G")).toBe(3e9);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("100u")).toBeCloseTo(1e-4);
    expect(() => parseQuantity("12XB")).toThrow();
  });
});

describe("label selectors", () => {
  it("supports every operator", () => {
    const l = { app: "web", tier: "front", n: "5" };
    const m = (s: string) => matchesLabels(parseLabelSelector(s), l);
    expect(m("app=web,tier==front")).toBe(true);
    expect(m("app!=web")).toBe(false);
    expect(m("tier in (front, back)")).toBe(true);
    expect(m("tier notin (front)")).toBe(false);
    expect(m("app,!missing")).toBe(true);
    expect(m("!app")).toBe(false);
    expect(m("n>4,n<6")).toBe(true);
    expect(m("")).toBe(true);
    expect(() => parseLabelSelector("app in front")).toThrow();
  });
});

describe("strategic merge", () => {
  it("merges by key and honours $retainKeys and $deleteFromPrimitiveList", () => {
    const orig = {
      metadata: { finalizers: ["a", "b"] },
      spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } },
    };
    const out = strategicMerge(orig, {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["a"], finalizers: ["c"] },
      spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } },
    });
    expect(out).toEqual({ metadata: { finalizers: ["b", "c"] }, spec: { strategy: { type: "Recreate" } } });
  });
});

describe("protobuf bodies", () => {
  it("decodes a ConfigMap in the k8s envelope", () => {
    const field = (n: number, payload: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, payload.length]), payload]);
    const s = (v: string) => Buffer.from(v);
    const meta = field(1, s("pb"));
    const entry = Buffer.concat([field(1, s("k")), field(2, s("v"))]);
    const cm = Buffer.concat([field(1, meta), field(2, entry)]);
    const unknown = Buffer.concat([
      field(1, Buffer.concat([field(1, s("v1")), field(2, s("ConfigMap"))])),
      field(2, cm),
    ]);
    const decoded = decodeProtobuf(Buffer.concat([Buffer.from("k8s\0", "latin1"), unknown]));
    expect(decoded).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "pb" }, data: { k: "v" } });
  });
});

describe("store journal", () => {
  it("compacts its log into a snapshot and reloads the same state", () => {
    const dir = tempDir();
    const s = Store.open(dir);
    for (let i = 0; i < 6000; i++)
      s.put("configmaps", { metadata: { name: `c${i % 100}`, namespace: "d" }, data: { i: String(i) } });
    const rv = s.currentRv;
    s.close();
    expect(fs.existsSync(path.join(dir, "snapshot.jsonl"))).toBe(true);
    expect(fs.readFileSync(path.join(dir, "log.jsonl"), "utf8").split("\n").length).toBeLessThan(2000);
    const again = Store.open(dir);
    expect(again.currentRv).toBe(rv);
    expect(again.list("configmaps", "d")).toHaveLength(100);
    expect(again.get("configmaps", "d", "c99")?.data).toEqual({ i: "5999" });
    again.close();
  });
});

describe("fault targeting", () => {
  it("names the cluster, verb and resource of a request", () => {
    const q = new URLSearchParams();
    expect(describeRequest("GET", "/api/v1/namespaces/a/pods", q)).toEqual({
      cluster: "host",
      verb: "list",
      resource: "pods",
    });
    expect(describeRequest("GET", "/apis/apps/v1/namespaces/a/deployments/d", q, "vc/ns1/vc1")).toEqual({
      cluster: "vc/ns1/vc1",
      verb: "get",
      resource: "deployments",
    });
    expect(describeRequest("GET", "/api/v1/watch/namespaces/a/configmaps", q)).toEqual({
      cluster: "host",
      verb: "watch",
      resource: "configmaps",
    });
    expect(describeRequest("GET", "/api/v1/configmaps", new URLSearchParams("watch=true"))).toEqual({
      cluster: "host",
      verb: "watch",
      resource: "configmaps",
    });
    expect(describeRequest("DELETE", "/api/v1/namespaces/a/secrets", q)).toEqual({
      cluster: "host",
      verb: "deletecollection",
      resource: "secrets",
    });
    expect(describeRequest("PATCH", "/api/v1/namespaces/x", q)).toEqual({
      cluster: "host",
      verb: "patch",
      resource: "namespaces",
    });
  });
});
