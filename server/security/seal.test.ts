import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { seal, unseal } from "./seal";

const key = randomBytes(32).toString("hex");

describe("sealing credentials", () => {
  it("round-trips and never stores the plaintext", () => {
    const sealed = seal("apiVersion: v1\nkind: Config\n", key);
    expect(sealed).not.toContain("Config");
    expect(unseal(sealed, key)).toBe("apiVersion: v1\nkind: Config\n");
    expect(seal("same", key)).not.toBe(seal("same", key));
  });

  it("refuses a wrong key and a tampered value", () => {
    const sealed = seal("secret", key);
    expect(() => unseal(sealed, randomBytes(32).toString("hex"))).toThrow(/HOST_CREDENTIALS_KEY/);
    const parts = sealed.split(":");
    const tampered = [...parts.slice(0, 3), Buffer.from("other").toString("base64")].join(":");
    expect(() => unseal(tampered, key)).toThrow(/could not be opened/);
  });
});
