import { describe, expect, it } from "vitest";
import { safeCallbackPath, sameOriginRedirect } from "./callback-url";

describe("sign-in callbacks stay on the site", () => {
  it("keeps site paths and refuses every spelling of another host", () => {
    expect(safeCallbackPath("/projects?x=1#top")).toBe("/projects?x=1#top");
    for (const attack of [
      "/\\evil.example",
      "//evil.example",
      "/\\/evil.example",
      "https://evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "javascript:alert(1)",
      "",
      undefined,
    ]) {
      expect(safeCallbackPath(attack), String(attack)).toBe("/clusters");
    }
  });

  it("lets next-auth redirect only within the portal's origin", () => {
    const base = "https://portal.example";
    expect(sameOriginRedirect("/clusters", base)).toBe("https://portal.example/clusters");
    expect(sameOriginRedirect("https://portal.example/projects", base)).toBe("https://portal.example/projects");
    expect(sameOriginRedirect("https://evil.example/", base)).toBe(base);
    expect(sameOriginRedirect("/\\evil.example", base)).toBe("https://portal.example/");
  });
});
