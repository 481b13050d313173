/**
 * The address a request came from, as the portal's own server saw it: the socket's peer, or, when that peer is a
 * proxy the admins listed (TRUSTED_PROXIES, CIDRs), the last X-Forwarded-For hop that proxy added. A header a
 * client sends itself never decides. The server puts the result in CLIENT_ADDRESS_HEADER (any incoming copy is
 * dropped), which audit rows and sign-in throttling read.
 */
import ipaddr from "ipaddr.js";

export const CLIENT_ADDRESS_HEADER = "x-ovc-client-address";

function within(address: string, ranges: string[]): boolean {
  try {
    const ip = ipaddr.process(address);
    return ranges.some((range) => {
      const [net, bits] = ipaddr.parseCIDR(range);
      return net.kind() === ip.kind() && ip.match([net, bits] as [typeof ip, number]);
    });
  } catch {
    return false;
  }
}

export function trustedProxies(raw = process.env.TRUSTED_PROXIES ?? ""): string[] {
  const ranges = raw
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  for (const range of ranges)
    if (!ipaddr.isValidCIDR(range)) throw new Error(`TRUSTED_PROXIES: ${range} is not a CIDR range (e.g. 10.0.0.0/8)`);
  return ranges;
}

/** Walks X-Forwarded-For from the right while the hops are trusted proxies; the first one that is not is the client. */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trusted: string[],
): string | null {
  const normalized = (a: string) => {
    try {
      return ipaddr.process(a.trim()).toString();
    } catch {
      return null;
    }
  };
  let current = peer ? normalized(peer) : null;
  if (!current) return null;
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  while (within(current, trusted) && hops.length > 0) {
    const next = normalized(hops.pop() ?? "");
    if (!next) break;
    current = next;
  }
  return current;
}

/** For the API's request context: what the server wrote, never a client's header. */
export const clientAddressOf = (headers: Headers): string | null => headers.get(CLIENT_ADDRESS_HEADER);
