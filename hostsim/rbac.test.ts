import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "./cluster";
import { authorize } from "./rbac";
import { requestAttributes } from "./requestinfo";
import { Store } from "./store";
import { eventually, rawRequest, startTestSim, tempDir, type TestSim } from "./test-helpers";

const alice = { name: "alice@example.com", groups: ["open-vcluster:viewer", "system:authenticated"] };
const as = ["--as", "alice@example.com", "--as-group", "open-vcluster:viewer"];
const impersonating = { "Impersonate-User": "alice@example.com", "Impersonate-Group": "open-vcluster:viewer" };

describe("request attributes, as requestinfo.go derives them", () => {
  const attrs = (method: string, path: string, query = "") =>
    requestAttributes(alice, method, path, new URLSearchParams(query));

  it.each([
    [
      "GET",
      "/api/v1/namespaces/default/pods",
      "",
      { resourceRequest: true, verb: "list", resource: "pods", namespace: "default", name: "", apiGroup: "" },
    ],
    ["GET", "/api/v1/namespaces/default/pods", "watch=true", { verb: "watch" }],
    ["GET", "/api/v1/namespaces/default/pods", "watch=", { verb: "watch" }],
    ["GET", "/api/v1/namespaces/default/pods", "watch=false", { verb: "list" }],
    ["GET", "/api/v1/watch/namespaces/default/pods/web", "", { verb: "watch", name: "web" }],
    ["GET", "/api/v1/namespaces/default/pods", "fieldSelector=metadata.name%3Dweb", { verb: "list", name: "web" }],
    ["GET", "/api/v1/namespaces/default/pods/web", "", { verb: "get", name: "web" }],
    [
      "DELETE",
      "/apis/apps/v1/namespaces/team/deployments",
      "",
      { verb: "deletecollection", apiGroup: "apps", resource: "deployments" },
    ],
    [
      "PATCH",
      "/apis/apps/v1/namespaces/team/deployments/api/scale",
      "",
      { verb: "patch", subresource: "scale", name: "api" },
    ],
    [
      "GET",
      "/api/v1/namespaces/team/pods/web/log",
      "",
      { verb: "get", resource: "pods", subresource: "log", name: "web" },
    ],
    ["POST", "/api/v1/namespaces/team/pods/web/portforward", "", { verb: "create", subresource: "portforward" }],
    ["GET", "/api/v1/namespaces/team/pods/web/exec", "command=ls", { verb: "get", subresource: "exec" }],
    ["GET", "/api/v1/namespaces/team", "", { verb: "get", resource: "namespaces", name: "team", namespace: "team" }],
    [
      "PUT",
      "/api/v1/namespaces/team/finalize",
      "",
      { verb: "update", resource: "namespaces", subresource: "finalize", name: "team", namespace: "team" },
    ],
    ["GET", "/api/v1/nodes", "", { verb: "list", resource: "nodes", namespace: "" }],
    ["GET", "/apis/apps/v1", "", { resourceRequest: false, verb: "get", path: "/apis/apps/v1" }],
    ["GET", "/api", "", { resourceRequest: false, path: "/api" }],
    ["GET", "/openapi/v3/apis/apps/v1", "", { resourceRequest: false, path: "/openapi/v3/apis/apps/v1" }],
    ["POST", "/version", "", { resourceRequest: false, verb: "post", path: "/version" }],
  ])("%s %s?%s", (method, path, query, want) => {
    expect(attrs(method, path, query)).toMatchObject(want);
  });
});

describe("the RBAC authorizer", () => {
  const c = new Cluster(new Store(undefined));
  const rbac = (plural: string) => c.rt("rbac.authorization.k8s.io", plural);
  c.create(c.rt("", "namespaces"), undefined, { metadata: { name: "team" } });
  c.create(rbac("clusterroles"), undefined, {
    metadata: { name: "reader" },
    rules: [
      { verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "pods/log"] },
      { verbs: ["update"], apiGroups: ["*"], resources: ["*/scale"] },
      { verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["public"] },
      { verbs: ["get"], nonResourceURLs: ["/healthz/*", "/metrics"] },
    ],
  });
  c.create(rbac("roles"), "team", {
    metadata: { name: "cm-writer", namespace: "team" },
    rules: [{ verbs: ["*"], apiGroups: [""], resources: ["configmaps"] }],
  });
  c.create(rbac("clusterrolebindings"), undefined, {
    metadata: { name: "readers" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "reader" },
    subjects: [{ kind: "Group", name: "open-vcluster:viewer" }],
  });
  c.create(rbac("rolebindings"), "team", {
    metadata: { name: "writers", namespace: "team" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cm-writer" },
    subjects: [
      { kind: "User", name: "bob" },
      { kind: "ServiceAccount", name: "bot" },
    ],
  });
  const can = (user: { name: string; groups: string[] }, method: string, path: string, query = "") =>
    authorize(c, requestAttributes(user, method, path, new URLSearchParams(query)));
  const bob = { name: "bob", groups: ["system:authenticated"] };

  it("matches verbs, groups, resources with subresources and */scale, resource names and non-resource paths", () => {
    expect(can(alice, "GET", "/api/v1/namespaces/team/pods").allowed).toBe(true);
    expect(can(alice, "GET", "/api/v1/namespaces/team/pods/web/log").allowed).toBe(true);
    expect(can(alice, "GET", "/api/v1/namespaces/team/pods/web/exec").allowed).toBe(false);
    expect(can(alice, "DELETE", "/api/v1/namespaces/team/pods/web").allowed).toBe(false);
    expect(can(alice, "PUT", "/apis/apps/v1/namespaces/team/deployments/api/scale").allowed).toBe(true);
    expect(can(alice, "PUT", "/apis/apps/v1/namespaces/team/deployments/api").allowed).toBe(false);
    expect(can(alice, "GET", "/api/v1/namespaces/team/secrets/public").allowed).toBe(true);
    expect(can(alice, "GET", "/api/v1/namespaces/team/secrets/private").allowed).toBe(false);
    expect(can(alice, "GET", "/api/v1/namespaces/team/secrets").allowed).toBe(false);
    expect(can(alice, "GET", "/healthz/etcd").allowed).toBe(true);
    expect(can(alice, "GET", "/healthz").allowed).toBe(false);
    expect(can(alice, "GET", "/metrics").allowed).toBe(true);
  });

  it("says which binding allowed a request, and scopes RoleBindings to their namespace", () => {
    expect(can(alice, "GET", "/api/v1/namespaces/team/pods")).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "reader" to Group "open-vcluster:viewer"',
    });
    expect(can(bob, "POST", "/api/v1/namespaces/team/configmaps")).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "writers/team" of Role "cm-writer" to User "bob"',
    });
    expect(can(bob, "POST", "/api/v1/namespaces/default/configmaps").allowed).toBe(false);
    expect(
      can({ name: "system:serviceaccount:team:bot", groups: [] }, "DELETE", "/api/v1/namespaces/team/configmaps/x")
        .reason,
    ).toBe('RBAC: allowed by RoleBinding "writers/team" of Role "cm-writer" to ServiceAccount "bot/team"');
    expect(
      can({ name: "system:serviceaccount:other:bot", groups: [] }, "DELETE", "/api/v1/namespaces/team/configmaps/x")
        .allowed,
    ).toBe(false);
    expect(can({ name: "x", groups: ["system:masters"] }, "DELETE", "/api/v1/nodes/n1")).toEqual({
      allowed: true,
      reason: "",
    });
  });

  it("names roles that do not exist in its reason", () => {
    c.create(rbac("clusterrolebindings"), undefined, {
      metadata: { name: "dangling" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "nope" },
      subjects: [{ kind: "User", name: "bob" }],
    });
    expect(can(bob, "GET", "/api/v1/nodes")).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found',
    });
    c.create(rbac("rolebindings"), "team", {
      metadata: { name: "dangling", namespace: "team" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "gone" },
      subjects: [{ kind: "User", name: "bob" }],
    });
    expect(can(bob, "GET", "/api/v1/namespaces/team/pods").reason).toBe(
      'RBAC: [clusterrole.rbac.authorization.k8s.io "nope" not found, role.rbac.authorization.k8s.io "gone" not found]',
    );
  });
});

describe("RBAC over HTTPS and kubectl", () => {
  let t: TestSim;
  const dataDir = tempDir();
  beforeAll(async () => {
    t = await startTestSim({ dataDir });
  });
  afterAll(async () => t.close());
  const kubectl = async (args: string[], input?: string) => {
    const r = await t.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  it("bootstraps the default ClusterRoles and bindings, with view, edit and admin aggregated", async () => {
    const names = (await kubectl(["get", "clusterroles", "-o", "name"])).trim().split("\n");
    for (const n of [
      "cluster-admin",
      "admin",
      "edit",
      "view",
      "system:discovery",
      "system:basic-user",
      "system:public-info-viewer",
    ])
      expect(names).toContain(`clusterrole.rbac.authorization.k8s.io/${n}`);
    const view = await eventually(async () => {
      const v = JSON.parse(await kubectl(["get", "clusterrole", "view", "-o", "json"])) as {
        rules?: { resources?: string[] }[];
      };
      return v.rules?.length ? v : undefined;
    }, "view aggregated");
    expect(view).toMatchObject({
      metadata: {
        labels: {
          "kubernetes.io/bootstrapping": "rbac-defaults",
          "rbac.authorization.k8s.io/aggregate-to-edit": "true",
        },
        annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
      },
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }],
      },
    });
    expect(view.rules?.[0]).toEqual({
      verbs: ["get", "list", "watch"],
      apiGroups: [""],
      resources: [
        "configmaps",
        "endpoints",
        "persistentvolumeclaims",
        "persistentvolumeclaims/status",
        "pods",
        "replicationcontrollers",
        "replicationcontrollers/scale",
        "serviceaccounts",
        "services",
        "services/status",
      ],
    });
    const edit = JSON.parse(await kubectl(["get", "clusterrole", "edit", "-o", "json"])) as { rules: unknown[] };
    expect(edit.rules).toEqual(expect.arrayContaining(view.rules ?? []));
    const binding = JSON.parse(
      await kubectl(["get", "clusterrolebinding", "system:public-info-viewer", "-o", "json"]),
    ) as unknown;
    expect(binding).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:public-info-viewer" },
      subjects: [
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" },
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:unauthenticated" },
      ],
    });
    expect(await kubectl(["get", "clusterrolebinding", "cluster-admin", "-o", "jsonpath={.subjects[0].name}"])).toBe(
      "system:masters",
    );
  });

  it("aggregates a labelled ClusterRole into view, and through it into edit and admin", async () => {
    await kubectl(
      ["apply", "-f", "-"],
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: widget-viewer\n  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}\nrules:\n- {apiGroups: [example.com], resources: [widgets], verbs: [get, list]}\n`,
    );
    for (const role of ["view", "edit", "admin"]) {
      await eventually(
        async () =>
          (await kubectl(["get", "clusterrole", role, "-o", "json"])).includes('"widgets"') ? true : undefined,
        `widgets in ${role}`,
      );
    }
  });

  it("refuses with the apiserver's Status, for a name, a collection, the cluster scope and a path", async () => {
    const secret = await rawRequest(t.sim, "GET", "/api/v1/namespaces/default/secrets/x", impersonating);
    expect(secret.status).toBe(403);
    expect(JSON.parse(secret.body)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'secrets "x" is forbidden: User "alice@example.com" cannot get resource "secrets" in API group "" in the namespace "default"',
      reason: "Forbidden",
      details: { name: "x", kind: "secrets" },
      code: 403,
    });
    const deployments = JSON.parse(
      (await rawRequest(t.sim, "GET", "/apis/apps/v1/deployments", impersonating)).body,
    ) as { message: string; details: unknown };
    expect(deployments).toMatchObject({
      message:
        'deployments.apps is forbidden: User "alice@example.com" cannot list resource "deployments" in API group "apps" at the cluster scope',
      details: { group: "apps", kind: "deployments" },
    });
    const path = JSON.parse((await rawRequest(t.sim, "GET", "/foo", impersonating)).body) as {
      message: string;
      details: unknown;
    };
    expect(path).toMatchObject({ message: 'forbidden: User "alice@example.com" cannot get path "/foo"', details: {} });
    expect((await rawRequest(t.sim, "GET", "/version", impersonating)).status).toBe(200);
  });

  it("decides on the bindings of the moment: a new one counts on the next request, a removed one too", async () => {
    const r = await t.kubectl(["get", "pods", ...as]);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): pods is forbidden: User "alice@example.com" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    await kubectl(["create", "clusterrolebinding", "viewers", "--clusterrole=view", "--group=open-vcluster:viewer"]);
    expect((await t.kubectl(["get", "pods", ...as])).code).toBe(0);
    expect((await t.kubectl(["auth", "can-i", "list", "pods", ...as])).stdout.trim()).toBe("yes");
    expect((await t.kubectl(["auth", "can-i", "create", "configmaps", ...as])).stdout.trim()).toBe("no");
    await kubectl(["delete", "clusterrolebinding", "viewers"]);
    expect((await t.kubectl(["get", "pods", ...as])).code).not.toBe(0);
  });

  it("authorizes a watch when it starts; it outlives the binding, a new one does not", async () => {
    await kubectl(["create", "clusterrolebinding", "watchers", "--clusterrole=view", "--group=open-vcluster:viewer"]);
    const u = new URL(t.sim.url);
    const seen: string[] = [];
    const req = https.get(
      {
        host: u.hostname,
        port: u.port,
        path: "/api/v1/namespaces/default/configmaps?watch=true",
        ca: t.sim.caPem,
        headers: { Authorization: `Bearer ${t.sim.adminToken}`, ...impersonating },
      },
      (res) => {
        res.on("data", (d: Buffer) => seen.push(d.toString()));
      },
    );
    await eventually(() => (seen.join("").includes("kube-root-ca.crt") ? true : undefined), "initial events");
    await kubectl(["delete", "clusterrolebinding", "watchers"]);
    await kubectl(["create", "configmap", "after-unbind"]);
    await eventually(() => (seen.join("").includes("after-unbind") ? true : undefined), "event after the binding went");
    req.destroy();
    expect(
      (await rawRequest(t.sim, "GET", "/api/v1/namespaces/default/configmaps?watch=true", impersonating)).status,
    ).toBe(403);
  });

  it("keeps one set of bootstrap objects across a restart", async () => {
    const before = await kubectl([
      "get",
      "clusterroles,clusterrolebindings",
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}",
    ]);
    await t.close();
    t = await startTestSim({ dataDir });
    const after = await kubectl([
      "get",
      "clusterroles,clusterrolebindings",
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}",
    ]);
    expect(after).toBe(before);
  });
});
