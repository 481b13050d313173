import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/universal/errors";
import { translateKubernetesError } from "./errors";

const ctx = { host: "host-a:6443", what: "StatefulSet ns/vc1", timeoutMs: 10_000 };
const api = (code: number, message = "", headers: Record<string, string> = {}) =>
  new ApiException(code, "Unknown API Status Code!", JSON.stringify({ kind: "Status", message }), headers);
const sys = (code: string, message = "") =>
  Object.assign(new Error(message || `request to https://host-a:6443/api failed, reason: ${code}`), {
    code,
    type: "system",
  });

describe("translateKubernetesError", () => {
  it.each([
    [404, "NOT_FOUND"],
    [409, "CONFLICT"],
    [401, "FORBIDDEN"],
    [403, "FORBIDDEN"],
    [400, "INVALID"],
    [422, "INVALID"],
    [429, "UNAVAILABLE"],
    [500, "UNAVAILABLE"],
    [503, "UNAVAILABLE"],
    [504, "UNAVAILABLE"],
  ])("HTTP %i is %s", (status, code) => {
    const err = translateKubernetesError(api(status, "the server said so"), ctx);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(code);
    expect(err.message).toContain("host-a:6443");
  });

  it("says the host refused the credentials on 401/403", () => {
    expect(translateKubernetesError(api(403), ctx).message).toMatch(/refused the portal's host credentials/);
  });

  it("passes on the server's reason for refused input and the retry hint of overload", () => {
    expect(translateKubernetesError(api(422, "spec.replicas: Invalid value: -1"), ctx).message).toContain(
      "spec.replicas: Invalid value: -1",
    );
    expect(translateKubernetesError(api(429, "slow down", { "retry-after": "3" }), ctx).retryAfter).toBe(3);
  });

  it.each(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"])("%s is UNAVAILABLE and names the host", (code) => {
    const err = translateKubernetesError(sys(code), ctx);
    expect(err.code).toBe("UNAVAILABLE");
    expect(err.message).toBe(`host host-a:6443 is unreachable (${code}) for StatefulSet ns/vc1`);
  });

  it("socket hang up and an aborted request are UNAVAILABLE", () => {
    expect(translateKubernetesError(new Error("socket hang up"), ctx).code).toBe("UNAVAILABLE");
    const abort = Object.assign(new Error("The operation was aborted."), { name: "AbortError", type: "aborted" });
    expect(translateKubernetesError(abort, ctx).message).toBe(
      "host host-a:6443 did not answer within 10 s for StatefulSet ns/vc1",
    );
  });

  it("a watch refused with a status code is translated by that code", () => {
    expect(translateKubernetesError(Object.assign(new Error("Gone"), { statusCode: 410 }), ctx).code).toBe("INTERNAL");
    expect(
      translateKubernetesError(Object.assign(new Error("Service Unavailable"), { statusCode: 503 }), ctx).code,
    ).toBe("UNAVAILABLE");
  });

  it("never repeats a client error's own text, which may carry a URL with credentials", () => {
    const err = translateKubernetesError(new Error("https://user:secret-token@host-a:6443 failed oddly"), ctx);
    expect(err.code).toBe("INTERNAL");
    expect(err.message).not.toContain("secret-token");
  });

  it("leaves AppErrors as they are", () => {
    const original = new AppError("TIMEOUT", "x");
    expect(translateKubernetesError(original, ctx)).toBe(original);
  });
});
