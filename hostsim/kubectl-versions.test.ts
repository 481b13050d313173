import { describe, expect, it } from "vitest";
import { startTestSim } from "./test-helpers";

const cm = (v: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: kv}\ndata: {v: "${v}"}\n`;

describe.each(["v1.27.16", "v1.29.9", "v1.31.4", "v1.33.1"])("kubectl against a %s server", (version) => {
  it("creates, applies (client- and server-side), lists across namespaces and rolls out", async () => {
    const t = await startTestSim({ kubernetesVersion: version });
    try {
      const ok = async (args: string[], input?: string) => {
        const r = await t.kubectl(args, input);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
        return r.stdout;
      };
      const v = JSON.parse(await ok(["version", "-o", "json"])) as { clientVersion: { minor: string } };
      expect(`v1.${v.clientVersion.minor}`).toBe(version.split(".").slice(0, 2).join("."));
      await ok(["create", "namespace", "kv"]);
      await ok(["create", "configmap", "c", "-n", "kv", "--from-literal=a=b"]);
      await ok(["create", "secret", "generic", "s", "-n", "kv", "--from-literal=p=q"]);
      await ok(["create", "deployment", "d", "-n", "kv", "--image=nginx:1.25", "--replicas=2"]);
      await ok(["create", "service", "clusterip", "d", "-n", "kv", "--tcp=80:80"]);
      await ok(["create", "serviceaccount", "bot", "-n", "kv"]);
      await ok(["create", "role", "r", "-n", "kv", "--verb=get", "--resource=pods"]);
      await ok(["create", "rolebinding", "rb", "-n", "kv", "--role=r", "--serviceaccount=kv:bot"]);
      expect(await ok(["apply", "-f", "-"], cm("1"))).toContain("created");
      expect(await ok(["apply", "-f", "-"], cm("2"))).toContain("configured");
      expect(await ok(["apply", "--server-side", "-f", "-"], cm("3"))).toContain("serverside-applied");
      expect(await ok(["get", "cm", "applied", "-n", "kv", "-o", "jsonpath={.data.v}"])).toBe("3");
      expect(await ok(["rollout", "status", "deployment/d", "-n", "kv", "--timeout=30s"])).toContain(
        "successfully rolled out",
      );
      const all = await ok(["get", "deploy,svc,sa,role,rolebinding", "-A"]);
      for (const name of [
        "deployment.apps/d",
        "service/d",
        "serviceaccount/bot",
        "role.rbac.authorization.k8s.io/r",
        "rolebinding.rbac.authorization.k8s.io/rb",
      ])
        expect(all).toContain(name);
      expect(await ok(["get", "secret", "s", "-n", "kv", "-o", "jsonpath={.data.p}"])).toBe(
        Buffer.from("q").toString("base64"),
      );
    } finally {
      await t.close();
    }
  });
});
