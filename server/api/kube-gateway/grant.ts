/**
 * Who may use a vcluster's API through the gateway, decided afresh on every request (and again for open streams):
 * a live kubeconfig token of an enabled user, for this vcluster, whose project role (or platform admin) still
 * stands. Nothing is cached, so removal, a lower role, a disabled account, a revoked token or a deleted vcluster
 * count from the next request.
 */
import type { Db } from "@/server/db/client";
import type { Role, VClusterPhase } from "@/server/generated/prisma/client";
import { hashKubeToken, isKubeTokenShape } from "@/server/services/kube-access/kube-tokens";
import { GatewayRefusal } from "./status";

export interface Grant {
  tokenId: string;
  tokenPrefix: string;
  userId: string;
  email: string;
  role: Role;
  vcluster: {
    id: string;
    name: string;
    namespace: string;
    projectId: string;
    hostClusterId: string | null;
    phase: VClusterPhase;
  };
}

const REFUSED_TOKEN = "the kubeconfig's token is invalid or revoked: download the kubeconfig again from the portal";

const SELECT = {
  id: true,
  prefix: true,
  revokedAt: true,
  vclusterId: true,
  user: { select: { id: true, email: true, disabled: true, isPlatformAdmin: true } },
  vcluster: { select: { id: true, name: true, namespace: true, projectId: true, hostClusterId: true, phase: true } },
} as const;

type Row = {
  id: string;
  prefix: string;
  revokedAt: Date | null;
  vclusterId: string;
  user: { id: string; email: string; disabled: boolean; isPlatformAdmin: boolean };
  vcluster: Grant["vcluster"];
};

function grantOf(row: Row, memberships: Map<string, Role>): Grant {
  if (row.revokedAt) throw new GatewayRefusal("Unauthorized", REFUSED_TOKEN);
  if (row.user.disabled) throw new GatewayRefusal("Unauthorized", "this account is disabled");
  const role = row.user.isPlatformAdmin ? "OWNER" : memberships.get(`${row.user.id}/${row.vcluster.projectId}`);
  if (!role)
    throw new GatewayRefusal(
      "Forbidden",
      `${row.user.email} is no longer a member of the project of vcluster ${row.vcluster.name}`,
    );
  if (row.vcluster.phase === "DELETING")
    throw new GatewayRefusal("NotFound", `vcluster ${row.vcluster.name} is being deleted`);
  return {
    tokenId: row.id,
    tokenPrefix: row.prefix,
    userId: row.user.id,
    email: row.user.email,
    role,
    vcluster: row.vcluster,
  };
}

async function membershipsOf(db: Db, rows: Row[]): Promise<Map<string, Role>> {
  const pairs = rows
    .filter((r) => !r.user.isPlatformAdmin)
    .map((r) => ({ userId: r.user.id, projectId: r.vcluster.projectId }));
  if (pairs.length === 0) return new Map();
  const found = await db.membership.findMany({
    where: { OR: pairs },
    select: { userId: true, projectId: true, role: true },
  });
  return new Map(found.map((m) => [`${m.userId}/${m.projectId}`, m.role]));
}

export async function resolveGrant(db: Db, token: string | null, vclusterId: string): Promise<Grant> {
  if (!token)
    throw new GatewayRefusal("Unauthorized", "a kubeconfig token is required: download the kubeconfig from the portal");
  if (!isKubeTokenShape(token)) throw new GatewayRefusal("Unauthorized", REFUSED_TOKEN);
  const row = await db.kubeAccessToken.findUnique({ where: { tokenHash: hashKubeToken(token) }, select: SELECT });
  // a token of another vcluster says nothing about this one: the same refusal as an unknown token
  if (!row || row.vclusterId !== vclusterId) throw new GatewayRefusal("Unauthorized", REFUSED_TOKEN);
  return grantOf(row, await membershipsOf(db, [row]));
}

/** The current grant (or refusal) of each token, in two queries, for re-checking open streams. */
export async function recheckGrants(db: Db, tokenIds: string[]): Promise<Map<string, Grant | GatewayRefusal>> {
  const rows = await db.kubeAccessToken.findMany({ where: { id: { in: tokenIds } }, select: SELECT });
  const memberships = await membershipsOf(db, rows);
  const result = new Map<string, Grant | GatewayRefusal>();
  for (const id of tokenIds) {
    const row = rows.find((r) => r.id === id);
    try {
      if (!row) throw new GatewayRefusal("Unauthorized", REFUSED_TOKEN);
      result.set(id, grantOf(row, memberships));
    } catch (refusal) {
      if (!(refusal instanceof GatewayRefusal)) throw refusal;
      result.set(id, refusal);
    }
  }
  return result;
}
