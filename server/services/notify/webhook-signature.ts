import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-OpenVCluster-Signature";
export const EVENT_HEADER = "X-OpenVCluster-Event";
export const DELIVERY_HEADER = "X-OpenVCluster-Delivery";

/** `sha256=<hex HMAC-SHA256 of the exact bytes sent>`, the form GitHub made familiar to receivers. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** What a receiver does: recompute over the raw body and compare in constant time. */
export function verifyWebhookSignature(secret: string, body: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
