/**
 * Personal credentials for a vcluster's API through the access gateway: one live token per person and vcluster.
 * It is kept sealed so that every download (page, tRPC, REST, CLI) gives the same file until the person rotates
 * it; the gateway finds it by hash. Revoking or rotating cuts the old token at its next request.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Tx } from "@/server/db/client";
import { seal, unseal } from "@/server/security/seal";

/** `ovck_<8 prefix chars>_<secret>`, distinct from API tokens so neither is accepted where the other belongs. */
const KUBE_TOKEN = /^ovck_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,})$/;

export const hashKubeToken = (token: string) => createHash("sha256").update(token).digest("hex");

export const isKubeTokenShape = (token: string) => KUBE_TOKEN.test(token);

export interface KubeTokenView {
  id: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

function mint(): { token: string; prefix: string; tokenHash: string } {
  const prefix = randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 8);
  const token = `ovck_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, prefix: `ovck_${prefix}`, tokenHash: hashKubeToken(token) };
}

/**
 * The person's live token for the vcluster, made on first use. The user's row is locked so two concurrent first
 * downloads agree on one token.
 */
export async function personalKubeToken(
  tx: Tx,
  userId: string,
  vclusterId: string,
  key: string,
): Promise<{ token: string; view: KubeTokenView }> {
  await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
  const live = await tx.kubeAccessToken.findFirst({
    where: { userId, vclusterId, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  if (live) return { token: unseal(live.sealedToken, key), view: live };
  const { token, prefix, tokenHash } = mint();
  const view = await tx.kubeAccessToken.create({
    data: { userId, vclusterId, prefix, tokenHash, sealedToken: seal(token, key) },
  });
  return { token, view };
}

/** Revokes the person's live tokens for the vcluster; returns how many were live. */
export async function revokePersonalKubeTokens(
  tx: Tx,
  userId: string,
  vclusterId: string,
  now = new Date(),
): Promise<number> {
  const { count } = await tx.kubeAccessToken.updateMany({
    where: { userId, vclusterId, revokedAt: null },
    data: { revokedAt: now },
  });
  return count;
}
