import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartPath, connectVirtual, helm, valuesFile, type Forward } from "./chart-helpers";
import { eventually, runKubectl, startTestSim, tempDir, type TestSim } from "./test-helpers";

let t: TestSim;
let forward: Forward;
const dataDir = tempDir();
const certFile = path.join(dataDir, "vc.kubeconfig");
const tokenFile = path.join(dataDir, "vc-token.kubeconfig");
const viewer = ["--as", "alice@example.com", "--as-group", "open-vcluster:viewer"];

/** kubectl with the vc-NAME kubeconfig through the port-forward; a failure's stderr is part of the answer. */
const vc = (args: string[], file = certFile) => runKubectl(file, args);
async function ok(args: string[]): Promise<string> {
  const r = await vc(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  t = await startTestSim({ dataDir });
  const out = await helm([
    "upgrade",
    "--install",
    "vc1",
    chartPath("0.36.1"),
    "-n",
    "team-rbac",
    "--create-namespace",
    "-f",
    valuesFile(dataDir, "vc1", {}),
    "--kubeconfig",
    t.kubeconfigPath,
  ]);
  if (out.code !== 0) throw new Error(out.stderr);
  const v = await connectVirtual(t.kc, "team-rbac", "vc1");
  forward = v.forward;
  fs.writeFileSync(certFile, v.config);
  const secret = JSON.parse((await t.kubectl(["get", "secret", "vc-vc1", "-n", "team-rbac", "-o", "json"])).stdout) as {
    data: { token: string };
  };
  const config = YAML.parse(v.config) as { users: { user: Record<string, string> }[] };
  config.users[0].user = { token: Buffer.from(secret.data.token, "base64").toString() };
  fs.writeFileSync(tokenFile, YAML.stringify(config));
});
afterAll(async () => {
  await forward.close();
  await t.close();
});

describe("a virtual cluster's API, as strict as its apiserver", () => {
  it("knows the vc-NAME certificate and token as kubeadm's super-admin", async () => {
    for (const file of [certFile, tokenFile]) {
      const r = await vc(["auth", "whoami", "-o", "json"], file);
      expect(JSON.parse(r.stdout)).toMatchObject({
        kind: "SelfSubjectReview",
        status: {
          userInfo: { username: "kubernetes-super-admin", groups: ["system:masters", "system:authenticated"] },
        },
      });
    }
    expect(JSON.parse(await ok(["auth", "whoami", "-o", "json", ...viewer]))).toMatchObject({
      status: { userInfo: { username: "alice@example.com", groups: ["open-vcluster:viewer", "system:authenticated"] } },
    });
  });

  it("has the bootstrap roles of its own apiserver", async () => {
    const counts = await eventually(async () => {
      const list = JSON.parse(
        await ok(["get", "clusterrole", "view", "edit", "admin", "cluster-admin", "-o", "json"]),
      ) as { items: { metadata: { name: string }; rules?: unknown[] }[] };
      const n = Object.fromEntries(list.items.map((r) => [r.metadata.name, r.rules?.length ?? 0]));
      return n.admin > n.edit && n.edit > n.view && n.view > 0 ? n : undefined;
    }, "aggregated roles in the virtual cluster");
    expect(counts["cluster-admin"]).toBe(2);
  });

  it("refuses a user no binding names", async () => {
    const r = await vc(["get", "pods", ...viewer]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): pods is forbidden: User "alice@example.com" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect((await vc(["auth", "can-i", "list", "pods", ...viewer])).stdout.trim()).toBe("no");
  });

  it("lets a group bound to view read, but not read secrets or write", async () => {
    await ok(["create", "clusterrolebinding", "viewers", "--clusterrole=view", "--group=open-vcluster:viewer"]);
    expect((await vc(["get", "pods", ...viewer])).code).toBe(0);
    const secrets = await vc(["get", "secrets", ...viewer]);
    expect(secrets.stderr).toContain(
      'Error from server (Forbidden): secrets is forbidden: User "alice@example.com" cannot list resource "secrets" in API group "" in the namespace "default"',
    );
    const secret = await vc(["get", "secret", "x", ...viewer]);
    expect(secret.stderr).toContain(
      'Error from server (Forbidden): secrets "x" is forbidden: User "alice@example.com" cannot get resource "secrets" in API group "" in the namespace "default"',
    );
    const cm = await vc(["create", "configmap", "from-viewer", ...viewer]);
    expect(cm.stderr).toContain(
      'error: failed to create configmap: configmaps is forbidden: User "alice@example.com" cannot create resource "configmaps" in API group "" in the namespace "default"',
    );
    expect((await vc(["auth", "can-i", "list", "pods", ...viewer])).stdout.trim()).toBe("yes");
    expect((await vc(["auth", "can-i", "create", "configmaps", ...viewer])).stdout.trim()).toBe("no");
    expect((await vc(["auth", "can-i", "get", "pods", "--subresource=log", ...viewer])).stdout.trim()).toBe("yes");
  });

  it("lets a group bound to edit create", async () => {
    await ok(["create", "clusterrolebinding", "editors", "--clusterrole=edit", "--group=open-vcluster:editor"]);
    const editor = ["--as", "bob@example.com", "--as-group", "open-vcluster:editor"];
    expect(await ok(["create", "configmap", "from-editor", ...editor])).toContain("configmap/from-editor created");
    expect((await vc(["auth", "can-i", "create", "configmaps", ...editor])).stdout.trim()).toBe("yes");
    expect((await vc(["auth", "can-i", "create", "clusterrolebindings", ...editor])).stdout.trim()).toBe("no");
  });

  it("cuts the next request once the binding is gone", async () => {
    await ok(["delete", "clusterrolebinding", "viewers"]);
    const r = await vc(["get", "pods", ...viewer]);
    expect(r.stderr).toContain(
      'pods is forbidden: User "alice@example.com" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });
});
