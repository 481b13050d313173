/**
 * The chain's head, kept outside the database. Keyed links stop insertions and edits, but someone who can delete
 * rows could still cut the newest ones off the end and leave a chain that verifies. So the engine copies the head
 * (seq and hash, with an HMAC under the audit key) to the object store every AUDIT_ANCHOR_INTERVAL_MS; `audit.verify`
 * then requires that row to still be there with that hash. Rows newer than the last anchor are not covered: the
 * interval is the window a cut tail can hide in.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import type { ObjectStore } from "@/server/adapters/s3/object-store";
import type { Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import { auditChainKey } from "./audit-key";

export const AUDIT_ANCHOR_KEY = "audit/chain-head.json";

export interface AuditAnchor {
  seq: bigint;
  hash: string;
  at: Date;
}

function macOf(anchor: AuditAnchor): string {
  return createHmac("sha256", auditChainKey())
    .update(`open-vcluster audit anchor\n${anchor.seq}\n${anchor.hash}\n${anchor.at.toISOString()}`)
    .digest("hex");
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new AppError("INTERNAL", `${AUDIT_ANCHOR_KEY} is larger than an anchor can be`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The stored anchor; null when there is none; INTERNAL when it is there but not one we wrote (bad MAC or shape). */
export async function readAuditAnchor(store: ObjectStore): Promise<AuditAnchor | null> {
  let text: string;
  try {
    text = await readAll(await store.getStream(AUDIT_ANCHOR_KEY));
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return null;
    throw error;
  }
  const parsed = JSON.parse(text) as { seq?: unknown; hash?: unknown; at?: unknown; mac?: unknown };
  if (
    typeof parsed.seq !== "string" ||
    !/^\d{1,19}$/.test(parsed.seq) ||
    typeof parsed.hash !== "string" ||
    typeof parsed.at !== "string" ||
    typeof parsed.mac !== "string"
  ) {
    throw new AppError("INTERNAL", `${AUDIT_ANCHOR_KEY} is not an audit anchor`);
  }
  const anchor: AuditAnchor = { seq: BigInt(parsed.seq), hash: parsed.hash, at: new Date(parsed.at) };
  const expected = Buffer.from(macOf(anchor), "hex");
  const given = Buffer.from(parsed.mac, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AppError("INTERNAL", `${AUDIT_ANCHOR_KEY} was not written with this portal's audit key`);
  return anchor;
}

/**
 * Copies the head to the store when it moved. An anchor ahead of the database's head is never overwritten: that is
 * the evidence of a cut tail, and verification must keep seeing it. Instances race harmlessly: the later of two
 * writers may put the older head back, which only narrows what is covered until the next round.
 */
export async function anchorAuditHead(
  db: Db,
  store: ObjectStore,
): Promise<"written" | "unchanged" | "empty" | "behind"> {
  const head = await db.auditLog.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  if (!head) return "empty";
  // an anchor that is not ours (bad MAC) fails here and stays, for verification to report: it is never replaced
  const current = await readAuditAnchor(store);
  if (current && current.seq === head.seq && current.hash === head.hash) return "unchanged";
  if (current && current.seq > head.seq) return "behind";
  const anchor: AuditAnchor = { seq: head.seq, hash: head.hash, at: new Date() };
  const body = JSON.stringify({
    seq: anchor.seq.toString(),
    hash: anchor.hash,
    at: anchor.at.toISOString(),
    mac: macOf(anchor),
  });
  await store.putStream(AUDIT_ANCHOR_KEY, Readable.from([Buffer.from(body)]), { contentType: "application/json" });
  return "written";
}
