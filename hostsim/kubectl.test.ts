import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectlUntil, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;

beforeAll(async () => {
  t = await startTestSim();
});
afterAll(async () => t.close());

async function ok(args: string[], input?: string): Promise<string> {
  const r = await t.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const deploymentYaml = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: kc
  labels: {app: api}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ${image}
        ports:
        - containerPort: 8080
        env:
        - name: MODE
          value: prod
`;

describe("kubectl (the version the host reports)", () => {
  it("reports the server version the dispatcher picks", async () => {
    const v = JSON.parse(await ok(["version", "-o", "json"])) as {
      serverVersion: { minor: string };
      clientVersion: { minor: string };
    };
    expect(v.clientVersion.minor).toBe(v.serverVersion.minor);
  });

  it("creates a namespace, configmap and secret (protobuf bodies) and gets them", async () => {
    expect(await ok(["create", "namespace", "kc"])).toContain("namespace/kc created");
    expect(
      await ok(["create", "configmap", "settings", "-n", "kc", "--from-literal=color=blue", "--from-literal=size=L"]),
    ).toContain("configmap/settings created");
    expect(await ok(["create", "secret", "generic", "creds", "-n", "kc", "--from-literal=password=s3cret"])).toContain(
      "secret/creds created",
    );
    expect(await ok(["get", "configmap", "settings", "-n", "kc", "-o", "jsonpath={.data.color}/{.data.size}"])).toBe(
      "blue/L",
    );
    expect(
      Buffer.from(
        await ok(["get", "secret", "creds", "-n", "kc", "-o", "jsonpath={.data.password}"]),
        "base64",
      ).toString(),
    ).toBe("s3cret");
    const table = await ok(["get", "configmaps", "-n", "kc"]);
    expect(table).toMatch(/NAME\s+DATA\s+AGE/);
    expect(table).toMatch(/settings\s+2\s+\d+s/);
    const all = await ok(["get", "secrets", "-A"]);
    expect(all).toMatch(/NAMESPACE\s+NAME\s+TYPE\s+DATA\s+AGE/);
    expect(all).toMatch(/kc\s+creds\s+Opaque\s+1/);
  });

  it("applies client-side, re-applies with a change, and applies server-side", async () => {
    expect(await ok(["apply", "-f", "-"], deploymentYaml(2, "nginx:1.25"))).toContain("deployment.apps/api created");
    expect(await ok(["apply", "-f", "-"], deploymentYaml(2, "nginx:1.27"))).toContain("deployment.apps/api configured");
    const image = await ok([
      "get",
      "deploy",
      "api",
      "-n",
      "kc",
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value}",
    ]);
    expect(image).toBe("nginx:1.27 prod");
    expect(await ok(["rollout", "status", "deployment/api", "-n", "kc", "--timeout=30s"])).toContain(
      "successfully rolled out",
    );
    const ssa = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: kc\ndata:\n  a: "1"\n`;
    expect(await ok(["apply", "--server-side", "-f", "-"], ssa)).toContain("configmap/ssa serverside-applied");
    const conflict = await t.kubectl(
      ["apply", "--server-side", "--field-manager=other", "-f", "-"],
      ssa.replace('"1"', '"2"'),
    );
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain("conflict");
    expect(
      await ok(
        ["apply", "--server-side", "--force-conflicts", "--field-manager=other", "-f", "-"],
        ssa.replace('"1"', '"2"'),
      ),
    ).toContain("serverside-applied");
    expect(await ok(["get", "cm", "ssa", "-n", "kc", "-o", "jsonpath={.data.a}"])).toBe("2");
  });

  it("rejects unknown fields on apply (server-side validation)", async () => {
    const bad = deploymentYaml(1, "nginx:1.27").replace("replicas: 1", "replicas: 1\n  replcias: 3");
    const r = await t.kubectl(["apply", "-f", "-"], bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "spec.replcias"');
  });

  it("scales and waits for the rollout", async () => {
    expect(await ok(["scale", "deployment/api", "-n", "kc", "--replicas=4"])).toContain("deployment.apps/api scaled");
    expect(await ok(["rollout", "status", "deployment/api", "-n", "kc", "--timeout=30s"])).toContain(
      "successfully rolled out",
    );
    const pods = await ok(["get", "pods", "-n", "kc", "-l", "app=api", "--no-headers"]);
    expect(
      pods
        .trim()
        .split("\n")
        .filter((l) => /1\/1\s+Running/.test(l)),
    ).toHaveLength(4);
    expect(await ok(["logs", "deployment/api", "-n", "kc"])).toContain("started container api from image nginx:1.27");
    const sts = `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: kc}\nspec:\n  replicas: 2\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: "postgres:16"}]}\n`;
    await ok(["apply", "-f", "-"], sts);
    expect(await ok(["rollout", "status", "statefulset/db", "-n", "kc", "--timeout=30s"])).toContain("roll");
    expect(await ok(["get", "sts", "db", "-n", "kc", "--no-headers"])).toMatch(/db\s+2\/2/);
  });

  it("watches with get -w", async () => {
    const seen = kubectlUntil(
      t.kubeconfigPath,
      ["get", "configmaps", "-n", "kc", "-w", "--request-timeout=30s"],
      (out) => out.includes("watched-late"),
    );
    await eventually(
      async () => ((await ok(["get", "cm", "-n", "kc"])).includes("settings") ? true : undefined),
      "kc configmaps",
    );
    await new Promise((r) => setTimeout(r, 300));
    await ok(["create", "configmap", "watched-late", "-n", "kc"]);
    const out = await seen;
    expect(out).toContain("settings");
    expect(out).toContain("watched-late");
  });

  it("uses a custom resource from its CRD, with printer columns", async () => {
    const crd = fs.readFileSync(path.join(import.meta.dirname, "testdata", "crd.yaml"), "utf8");
    expect(await ok(["apply", "-f", "-"], crd)).toContain("created");
    await eventually(
      async () => ((await t.kubectl(["get", "widgets", "-n", "kc"])).code === 0 ? true : undefined),
      "widgets served",
    );
    await ok(
      ["apply", "-f", "-"],
      `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: kc}\nspec: {size: 3}\n`,
    );
    expect(await ok(["get", "widgets", "-n", "kc"])).toMatch(/NAME\s+SIZE\s+AGE\nw1\s+3\s+/);
  });

  it("deletes a namespace and waits for it to go", async () => {
    const out = await ok(["delete", "namespace", "kc", "--wait=true", "--timeout=30s"]);
    expect(out).toContain('namespace "kc" deleted');
    const r = await t.kubectl(["get", "namespace", "kc"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("NotFound");
  });
});
