import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartPath, connectVirtual, helm, valuesFile, type Forward } from "./chart-helpers";
import {
  httpGet,
  kubectlPortForward,
  kubectlUntil,
  runKubectl,
  startTestSim,
  tempDir,
  type TestSim,
} from "./test-helpers";

let t: TestSim;
let forward: Forward;
const dataDir = tempDir();
const file = path.join(dataDir, "vc.kubeconfig");
const editor = ["--as", "alice@example.com", "--as-group", "open-vcluster:editor"];
const viewer = ["--as", "bob@example.com", "--as-group", "open-vcluster:viewer"];

async function vc(args: string[]): Promise<string> {
  const r = await runKubectl(file, args);
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
    "team-pods",
    "--create-namespace",
    "-f",
    valuesFile(dataDir, "vc1", {}),
    "--kubeconfig",
    t.kubeconfigPath,
  ]);
  if (out.code !== 0) throw new Error(out.stderr);
  const v = await connectVirtual(t.kc, "team-pods", "vc1");
  forward = v.forward;
  fs.writeFileSync(file, v.config);
  await vc(["create", "clusterrolebinding", "editors", "--clusterrole=edit", "--group=open-vcluster:editor"]);
  await vc(["create", "clusterrolebinding", "viewers", "--clusterrole=view", "--group=open-vcluster:viewer"]);
  await vc(["run", "web", "--image=registry.k8s.io/e2e-test-images/agnhost:2.53", "--", "netexec", "--http-port=8080"]);
  await vc(["wait", "--for=condition=Ready", "pod/web", "--timeout=30s"]);
});
afterAll(async () => {
  await forward.close();
  await t.close();
});

describe("a virtual pod's subresources, served by its host pod", () => {
  it("gives the host pod's log, with --tail", async () => {
    const log = await vc(["logs", "web", ...viewer]);
    expect(log).toMatch(
      /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Started HTTP server on port 8080\n\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Started UDP server on port {2}8081\n$/,
    );
    expect(await t.kubectl(["logs", "web-x-default-x-vc1", "-n", "team-pods"])).toMatchObject({ stdout: log });
    expect((await vc(["logs", "web", "--tail=1"])).trim()).toMatch(/Started UDP server on port {2}8081$/);
    // the host answers, so its errors name the host pod
    const bad = await runKubectl(file, ["get", "--raw", "/api/v1/namespaces/default/pods/web/log?container=nope"]);
    expect(bad.stderr).toContain("container nope is not valid for pod web-x-default-x-vc1");
  });

  it("forwards kubectl port-forward to the pod's netexec, which answers /hostname with the virtual name", async () => {
    const pf = await kubectlPortForward(file, ["pod/web", ":8080", ...editor]);
    try {
      expect(await httpGet(pf.port, "/hostname")).toEqual({ status: 200, body: "web" });
      expect(await httpGet(pf.port, "/echo?msg=through%20the%20vcluster")).toEqual({
        status: 200,
        body: "through the vcluster",
      });
      expect((await httpGet(pf.port, "/")).body).toMatch(
        /^NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}$/,
      );
    } finally {
      pf.stop();
    }
    expect(await vc(["logs", "web"])).toMatch(
      /GET \/hostname\n.*GET \/echo\?msg=through the vcluster&code=\n.*GET \/\n$/,
    );
  });

  it("streams the log with --follow", async () => {
    const pf = await kubectlPortForward(file, ["pod/web", ":8080"]);
    const followed = kubectlUntil(file, ["logs", "-f", "web", ...viewer], (out) =>
      out.includes("GET /echo?msg=followed&code="),
    );
    await new Promise((r) => setTimeout(r, 500));
    await httpGet(pf.port, "/echo?msg=followed");
    pf.stop();
    expect(await followed).toContain("Started HTTP server on port 8080");
  });

  it("refuses port-forward to a group bound to view", async () => {
    const refused = await kubectlPortForward(file, ["pod/web", ":8080", ...viewer]).then(
      (pf) => {
        pf.stop();
        return "listened";
      },
      (e: Error) => e.message,
    );
    expect(refused).toContain(
      'pods "web" is forbidden: User "bob@example.com" cannot create resource "pods/portforward" in API group "" in the namespace "default"',
    );
  });

  it("answers exec as the host does, which does not serve it", async () => {
    const r = await runKubectl(file, ["exec", "web", "--", "hostname"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("the server could not find the requested resource");
  });
});
