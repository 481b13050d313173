import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

describe("the client's address", () => {
  it("is the socket's peer unless that peer is a listed proxy; a client's own X-Forwarded-For never decides", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", [])).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.5", "198.51.100.7", ["10.0.0.0/8"])).toBe("198.51.100.7");
    // a spoofed first hop before the real client: only the hops the trusted proxies added count
    expect(clientAddress("10.0.0.5", "6.6.6.6, 198.51.100.7", ["10.0.0.0/8"])).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.5", "198.51.100.7, 10.0.0.9", ["10.0.0.0/8"])).toBe("198.51.100.7");
    expect(clientAddress("::ffff:127.0.0.1", undefined, [])).toBe("127.0.0.1");
    expect(clientAddress("10.0.0.5", "not-an-ip", ["10.0.0.0/8"])).toBe("10.0.0.5");
  });
});
