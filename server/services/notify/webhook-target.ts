/**
 * Where webhooks may go: public addresses only, unless the platform's admins list private ranges for on-premises
 * receivers (WEBHOOK_ALLOWED_PRIVATE_RANGES, CIDRs). Checked when a webhook is saved (the URL's address in every
 * spelling the URL parser accepts, and what its name resolves to) and again at every connection by
 * request-filtering-agent, which checks the address actually dialled, so a name that later resolves inside
 * (DNS rebinding) is refused too.
 */
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { invalidField } from "@/server/universal/errors";

export function allowedPrivateRanges(raw = process.env.WEBHOOK_ALLOWED_PRIVATE_RANGES ?? ""): string[] {
  const ranges = raw
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  for (const range of ranges) {
    if (!ipaddr.isValidCIDR(range))
      throw new Error(`WEBHOOK_ALLOWED_PRIVATE_RANGES: ${range} is not a CIDR range (e.g. 10.20.0.0/16)`);
  }
  return ranges;
}

/** Public unicast, or inside a listed range; IPv4-mapped IPv6 is judged as the IPv4 address it carries. */
export function isAllowedAddress(address: string, allowed: string[]): boolean {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(address.replace(/^\[|\]$/g, ""));
  } catch {
    return false;
  }
  if (
    allowed.some((range) => {
      const [net, bits] = ipaddr.parseCIDR(range);
      return net.kind() === ip.kind() && ip.match([net, bits] as [typeof ip, number]);
    })
  )
    return true;
  return ip.range() === "unicast";
}

const REFUSED =
  "must reach a public address: internal, loopback, link-local and other special-purpose addresses are refused (admins may allow private ranges for on-premises receivers)";

/** At save time; a name that does not resolve now is left to the check at connection time. */
export async function checkWebhookAddress(url: URL, allowed = allowedPrivateRanges()): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) {
    if (!isAllowedAddress(host, allowed)) throw invalidField("url", REFUSED);
    return;
  }
  const addresses = await lookup(host, { all: true }).catch(() => []);
  if (addresses.some((a) => !isAllowedAddress(a.address, allowed))) throw invalidField("url", REFUSED);
}

const agents = new Map<string, { http: RequestFilteringHttpAgent; https: RequestFilteringHttpsAgent }>();

/** Agents that refuse to connect to what isAllowedAddress refuses, decided on the address actually dialled. */
export function filteringAgent(
  url: URL,
  allowed = allowedPrivateRanges(),
): RequestFilteringHttpAgent | RequestFilteringHttpsAgent {
  const key = allowed.join(",");
  let pair = agents.get(key);
  if (!pair) {
    const options = { allowPrivateIPAddress: false, allowMetaIPAddress: false, allowIPAddressList: allowed };
    pair = { http: new RequestFilteringHttpAgent(options), https: new RequestFilteringHttpsAgent(options) };
    agents.set(key, pair);
  }
  return url.protocol === "https:" ? pair.https : pair.http;
}
