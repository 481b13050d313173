import { describe, expect, it } from "vitest";
import { AppError } from "@/server/universal/errors";
import { translateS3Error } from "./errors";

const ctx = { store: "s3://snaps at s3.example:9000", what: "upload of p/v/s/objects.ndjson.gz" };
const s3 = (name: string, status: number, message = "") =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });

describe("translateS3Error", () => {
  it.each([
    ["NoSuchKey", 404, "NOT_FOUND"],
    ["NotFound", 404, "NOT_FOUND"],
    ["NoSuchBucket", 404, "NOT_FOUND"],
    ["AccessDenied", 403, "FORBIDDEN"],
    ["InvalidAccessKeyId", 403, "FORBIDDEN"],
    ["SignatureDoesNotMatch", 403, "FORBIDDEN"],
    ["SlowDown", 503, "UNAVAILABLE"],
    ["InternalError", 500, "UNAVAILABLE"],
    ["Unknown", 502, "UNAVAILABLE"],
    ["EntityTooSmall", 400, "INVALID"],
    ["BucketAlreadyOwnedByYou", 409, "CONFLICT"],
    ["PreconditionFailed", 412, "PRECONDITION_FAILED"],
  ])("%s (HTTP %i) is %s and names the store and the operation", (name, status, code) => {
    const err = translateS3Error(s3(name, status), ctx);
    expect(err.code).toBe(code);
    expect(err.message).toContain("s3://snaps");
  });

  it.each(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"])("network failure %s is UNAVAILABLE", (code) => {
    const err = translateS3Error(Object.assign(new Error("connect failed"), { code }), ctx);
    expect(err).toMatchObject({
      code: "UNAVAILABLE",
      message: `s3://snaps at s3.example:9000 is unreachable (${code}) for ${ctx.what}`,
    });
  });

  it("never repeats the SDK's message, which can carry the string to sign", () => {
    const err = translateS3Error(
      s3("SignatureDoesNotMatch", 403, "StringToSign AWS4-HMAC-SHA256 secret-material"),
      ctx,
    );
    expect(err.message).not.toContain("secret-material");
    expect(translateS3Error(new Error("https://key:secret-material@host failed"), ctx)).toMatchObject({
      code: "INTERNAL",
    });
  });

  it("leaves AppErrors as they are", () => {
    const original = new AppError("TIMEOUT", "x");
    expect(translateS3Error(original, ctx)).toBe(original);
  });
});
