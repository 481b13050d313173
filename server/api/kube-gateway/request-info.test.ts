import { describe, expect, it } from "vitest";
import { describeTarget, isLongRunning, isMutating, parseGatewayPath, requestInfo } from "./request-info";

const info = (method: string, url: string) => {
  const parsed = new URL(url, "http://x");
  return requestInfo(method, parsed.pathname, parsed.searchParams);
};

describe("request attributes, as kube-apiserver's RequestInfoFactory derives them", () => {
  it("tells get from list, delete from deletecollection, and watches by parameter or by path", () => {
    expect(info("GET", "/api/v1/namespaces/default/pods/web")).toMatchObject({
      verb: "get",
      resource: "pods",
      name: "web",
      namespace: "default",
      apiGroup: "",
    });
    expect(info("GET", "/api/v1/namespaces/default/pods")).toMatchObject({ verb: "list", name: "" });
    expect(info("GET", "/api/v1/namespaces/default/pods?watch=true")).toMatchObject({ verb: "watch" });
    expect(info("GET", "/api/v1/watch/namespaces/default/pods")).toMatchObject({
      verb: "watch",
      namespace: "default",
      resource: "pods",
    });
    expect(info("DELETE", "/apis/apps/v1/namespaces/a/deployments")).toMatchObject({
      verb: "deletecollection",
      apiGroup: "apps",
    });
    expect(info("DELETE", "/apis/apps/v1/namespaces/a/deployments/d")).toMatchObject({ verb: "delete", name: "d" });
    expect(info("PATCH", "/api/v1/namespaces/a")).toMatchObject({ verb: "patch", resource: "namespaces", name: "a" });
    expect(info("GET", "/version")).toMatchObject({ isResourceRequest: false, verb: "get" });
  });

  it("marks mutations and streams, exec and port-forward included", () => {
    const exec = info("POST", "/api/v1/namespaces/a/pods/p/exec?command=sh");
    expect(exec).toMatchObject({ verb: "create", resource: "pods", subresource: "exec" });
    expect(isMutating(exec)).toBe(true);
    expect(isMutating(info("GET", "/api/v1/namespaces/a/pods/p/portforward"))).toBe(true);
    expect(isMutating(info("GET", "/api/v1/namespaces/a/pods"))).toBe(false);
    expect(isLongRunning(info("GET", "/api/v1/namespaces/a/pods/p/log"), new URLSearchParams("follow=true"))).toBe(
      true,
    );
    expect(isLongRunning(info("GET", "/api/v1/namespaces/a/pods/p/log"), new URLSearchParams())).toBe(false);
    expect(describeTarget(info("POST", "/apis/apps/v1/namespaces/a/deployments"), "")).toBe("a deployments.apps");
  });

  it("finds the vcluster in the gateway path and refuses what is not one", () => {
    expect(parseGatewayPath("/kube/abc123/api/v1/pods?limit=5")).toMatchObject({
      vclusterId: "abc123",
      path: "/api/v1/pods",
      search: "?limit=5",
    });
    expect(parseGatewayPath("/kube/abc123")).toMatchObject({ vclusterId: "abc123", path: "/" });
    // dot segments are resolved before the id is read, so they cannot step into another vcluster's path unnoticed
    expect(parseGatewayPath("/kube/abc123/../other/api").vclusterId).toBe("other");
    expect(() => parseGatewayPath("/kube/ABC$/api")).toThrow(/no vcluster at this address/);
  });
});
