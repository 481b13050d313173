import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "./cluster";
import { admit } from "./filters";
import { impersonate, type Headers } from "./impersonation";
import { authorize } from "./rbac";
import { Store } from "./store";
import { rawRequest, startTestSim, type TestSim } from "./test-helpers";

describe("impersonation by someone who is not system:masters", () => {
  const c = new Cluster(new Store(undefined));
  const rbac = (plural: string) => c.rt("rbac.authorization.k8s.io", plural);
  c.create(rbac("clusterroles"), undefined, {
    metadata: { name: "impersonator" },
    rules: [
      { verbs: ["impersonate"], apiGroups: [""], resources: ["users"], resourceNames: ["alice@example.com"] },
      { verbs: ["impersonate"], apiGroups: [""], resources: ["groups"], resourceNames: ["open-vcluster:viewer"] },
      { verbs: ["impersonate"], apiGroups: ["authentication.k8s.io"], resources: ["userextras/scopes"] },
    ],
  });
  c.create(rbac("clusterrolebindings"), undefined, {
    metadata: { name: "bob-impersonates" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "impersonator" },
    subjects: [{ kind: "User", name: "bob" }],
  });
  const bob = { name: "bob", groups: ["system:authenticated"] };
  const as = (headers: Headers) => impersonate(bob, headers, 33, "/api", (a) => authorize(c, a));

  it("is allowed for what bob may impersonate, and adds system:authenticated", () => {
    expect(
      as({
        "impersonate-user": ["alice@example.com"],
        "impersonate-group": ["open-vcluster:viewer"],
        "impersonate-extra-scopes": ["view", "edit"],
      }),
    ).toEqual({
      user: {
        name: "alice@example.com",
        groups: ["open-vcluster:viewer", "system:authenticated"],
        extra: { scopes: ["view", "edit"] },
      },
    });
  });

  it("is refused for anything else, with the resource the filter checked", () => {
    const refusal = (headers: Headers) => {
      const r = as(headers);
      return r && "refused" in r ? r.refused.status() : r;
    };
    expect(refusal({ "impersonate-user": ["carol"] })).toMatchObject({
      code: 403,
      reason: "Forbidden",
      message:
        'users "carol" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
      details: { name: "carol", kind: "users" },
    });
    expect(refusal({ "impersonate-user": ["alice@example.com"], "impersonate-group": ["admins"] })).toMatchObject({
      message:
        'groups "admins" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at the cluster scope',
    });
    expect(refusal({ "impersonate-user": ["alice@example.com"], "impersonate-extra-reason": ["x"] })).toMatchObject({
      message:
        'userextras.authentication.k8s.io "x" is forbidden: User "bob" cannot impersonate resource "userextras/reason" in API group "authentication.k8s.io" at the cluster scope',
      details: { name: "x", group: "authentication.k8s.io", kind: "userextras" },
    });
    expect(refusal({ "impersonate-user": ["alice@example.com"], "impersonate-uid": ["1234"] })).toMatchObject({
      message:
        'uids.authentication.k8s.io "1234" is forbidden: User "bob" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope',
    });
    expect(refusal({ "impersonate-user": ["system:serviceaccount:team:bot"] })).toMatchObject({
      message:
        'serviceaccounts "bot" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team"',
    });
  });
});

describe("impersonation headers over HTTPS", () => {
  let t: TestSim;
  beforeAll(async () => {
    t = await startTestSim();
  });
  afterAll(async () => t.close());

  it("gives an impersonated user system:authenticated unless the groups name an all-users group", async () => {
    const whoami = async (headers: Record<string, string | string[]>) =>
      JSON.parse(
        (
          await rawRequest(
            t.sim,
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            { ...headers, "Content-Type": "application/json" },
            "{}",
          )
        ).body,
      ) as { status?: { userInfo: unknown } };
    expect((await whoami({})).status?.userInfo).toEqual({
      username: "kubernetes-super-admin",
      groups: ["system:masters", "system:authenticated"],
    });
    expect((await whoami({ "Impersonate-User": "alice@example.com" })).status?.userInfo).toEqual({
      username: "alice@example.com",
      groups: ["system:authenticated"],
    });
    expect(
      (
        await whoami({
          "Impersonate-User": "alice@example.com",
          "Impersonate-Group": ["a", "b"],
          "Impersonate-Uid": "u-1",
          "Impersonate-Extra-Acme.com%2Fproject": ["p1"],
        })
      ).status?.userInfo,
    ).toEqual({
      username: "alice@example.com",
      uid: "u-1",
      groups: ["a", "b", "system:authenticated"],
      extra: { "acme.com/project": ["p1"] },
    });
    expect((await whoami({ "Impersonate-User": "system:serviceaccount:default:bot" })).status?.userInfo).toEqual({
      username: "system:serviceaccount:default:bot",
      groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
    });
    const anonymousGroup = { "Impersonate-User": "alice@example.com", "Impersonate-Group": "system:unauthenticated" };
    expect((await rawRequest(t.sim, "GET", "/version", anonymousGroup)).status).toBe(200);
    expect(JSON.parse((await rawRequest(t.sim, "GET", "/apis", anonymousGroup)).body)).toMatchObject({
      code: 403,
      message: 'forbidden: User "alice@example.com" cannot get path "/apis"',
    });
  });

  it("refuses groups, extras or a UID without a user as kube-apiserver 1.33 does: a plain-text 500", async () => {
    const r = await rawRequest(t.sim, "GET", "/api/v1/namespaces?limit=1", {
      "Impersonate-Group": "open-vcluster:viewer",
      "Impersonate-Extra-Scopes": "view",
      "Impersonate-Uid": "u-1",
    });
    expect(r).toEqual({
      status: 500,
      type: "text/plain; charset=utf-8",
      body: 'Internal Server Error: "/api/v1/namespaces?limit=1": requested [{Group  open-vcluster:viewer    } {UserExtra  view  authentication.k8s.io/v1  scopes} {UID  u-1  authentication.k8s.io/v1  }] without impersonating a user\n',
    });
  });

  it("and from 1.35 on with a 400 Status", async () => {
    const t35 = await startTestSim({ kubernetesVersion: "v1.35.0" });
    const r = await rawRequest(t35.sim, "GET", "/api/v1/namespaces", { "Impersonate-Group": "open-vcluster:viewer" });
    await t35.close();
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({
      kind: "Status",
      reason: "BadRequest",
      code: 400,
      message: "requested [{Group  open-vcluster:viewer    }] without impersonating a user",
    });
  });

  it("does not pass the impersonation headers on", () => {
    const req = {
      method: "GET",
      url: "/api",
      socket: { authorized: false },
      headers: {
        authorization: `Bearer ${t.sim.adminToken}`,
        accept: "application/json",
        "impersonate-user": "alice@example.com",
        "impersonate-extra-scopes": "view",
      },
      headersDistinct: {
        authorization: [`Bearer ${t.sim.adminToken}`],
        accept: ["application/json"],
        "impersonate-user": ["alice@example.com"],
        "impersonate-extra-scopes": ["view"],
      },
    } as unknown as IncomingMessage;
    const tokens = new Map([[t.sim.adminToken, { name: "kubernetes-super-admin", groups: ["system:masters"] }]]);
    const admitted = admit(
      { tokens, minor: 33, authorize: () => ({ allowed: true, reason: "" }) },
      req,
      new URL("https://hostsim/api"),
    );
    expect(admitted).toMatchObject({
      user: { name: "alice@example.com" },
      headers: { authorization: `Bearer ${t.sim.adminToken}`, accept: "application/json" },
    });
    expect("headers" in admitted && Object.keys(admitted.headers)).toEqual(["authorization", "accept"]);
  });
});
