import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forwardPort } from "./chart-helpers";
import { eventually, httpGet, kubectlPortForward, rawRequest, startTestSim, type TestSim } from "./test-helpers";

let t: TestSim;
const agnhost = "registry.k8s.io/e2e-test-images/agnhost:2.53";

const pod = (name: string, container: Record<string, unknown>) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default}\nspec:\n  containers:\n  - ${JSON.stringify({ name: "main", ...container })}\n`;

async function running(name: string): Promise<void> {
  const core = t.kc.makeApiClient(CoreV1Api);
  await eventually(
    async () =>
      (await core.readNamespacedPod({ namespace: "default", name })).status?.phase === "Running" ? true : undefined,
    `${name} running`,
  );
}

beforeAll(async () => {
  t = await startTestSim();
  const manifests = [
    pod("web", { image: agnhost, args: ["netexec", "--http-port=8080"] }),
    pod("quiet", { image: agnhost, command: ["/agnhost", "netexec", "--http-port", "9000", "--udp-port=-1"] }),
    pod("nginx", { image: "nginx:1.27" }),
  ];
  for (const m of manifests) expect((await t.kubectl(["apply", "-f", "-"], m)).code).toBe(0);
  for (const name of ["web", "quiet", "nginx"]) await running(name);
});
afterAll(async () => t.close());

describe("agnhost netexec behind pods/portforward", () => {
  it("prints netexec's start lines", async () => {
    expect((await t.kubectl(["logs", "web"])).stdout).toMatch(
      /^\S+ \S+ Started HTTP server on port 8080\n\S+ \S+ Started UDP server on port {2}8081\n$/,
    );
    expect((await t.kubectl(["logs", "quiet"])).stdout).toMatch(/^\S+ \S+ Started HTTP server on port 9000\n$/);
  });

  it("answers its endpoints over the WebSocket channel protocol", async () => {
    const f = await forwardPort(t.kc, "default", "web", 8080);
    try {
      expect(await httpGet(f.port, "/hostname")).toEqual({ status: 200, body: "web" });
      expect(await httpGet(f.port, "/echo?msg=hi&code=202")).toEqual({ status: 202, body: "hi" });
      expect(await httpGet(f.port, "/echo?msg=hi&code=abc")).toEqual({
        status: 200,
        body: "argument 'code' must be an integer or empty, got \"abc\"\n",
      });
      expect(await httpGet(f.port, "/healthz")).toEqual({ status: 200, body: "" });
      expect((await httpGet(f.port, "/anything")).body).toMatch(/^NOW: /);
    } finally {
      await f.close();
    }
    const quiet = await forwardPort(t.kc, "default", "quiet", 9000);
    try {
      // without its UDP server netexec never reports ready
      expect((await httpGet(quiet.port, "/healthz")).status).toBe(412);
    } finally {
      await quiet.close();
    }
  });

  it("serves kubectl port-forward over plain SPDY as well as SPDY tunnelled in WebSocket", async () => {
    const envs: Record<string, string>[] = [{}, { PORT_FORWARD_WEBSOCKETS: "false" }];
    for (const env of envs) {
      const pf = await kubectlPortForward(t.kubeconfigPath, ["pod/web", ":8080"], env);
      try {
        expect(await httpGet(pf.port, "/hostname")).toEqual({ status: 200, body: "web" });
      } finally {
        pf.stop();
      }
    }
  });

  it("refuses a port nothing listens on with the kubelet's error", async () => {
    const pf = await kubectlPortForward(t.kubeconfigPath, ["pod/nginx", ":80"]);
    try {
      await expect(httpGet(pf.port, "/")).rejects.toThrow();
      await eventually(
        () =>
          /error forwarding port 80 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace .*connect: connection refused/.test(
            pf.stderr(),
          )
            ? true
            : undefined,
        "kubelet error",
      );
    } finally {
      pf.stop();
    }
  });
});

describe("pods/portforward authorization on kube-apiserver 1.35+", () => {
  const upgrade = {
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Protocol": "v4.channel.k8s.io",
  };
  const asForwarder = { "Impersonate-User": "carol", "Impersonate-Group": "forwarders" };
  const role = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: get-forward}\nrules:\n- {apiGroups: [""], resources: [pods/portforward], verbs: [get]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: forwarders}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: get-forward}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: forwarders}\n`;

  it("needs create as well as get for the WebSocket upgrade from 1.35, and get alone before", async () => {
    expect((await t.kubectl(["apply", "-f", "-"], role)).code).toBe(0);
    expect(
      (
        await rawRequest(t.sim, "GET", "/api/v1/namespaces/default/pods/web/portforward?ports=8080", {
          ...upgrade,
          ...asForwarder,
        })
      ).status,
    ).toBe(101);
    const t35 = await startTestSim({ kubernetesVersion: "v1.35.0" });
    try {
      expect((await t35.kubectl(["apply", "-f", "-"], role)).code).toBe(0);
      const r = await rawRequest(t35.sim, "GET", "/api/v1/namespaces/default/pods/web/portforward?ports=8080", {
        ...upgrade,
        ...asForwarder,
      });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({
        reason: "Forbidden",
        message: 'pods "web" is forbidden: ',
        details: { name: "web", kind: "pods" },
      });
    } finally {
      await t35.close();
    }
  });
});
