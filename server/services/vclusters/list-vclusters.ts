import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { invalidField } from "@/server/universal/errors";
import type { Prisma, VClusterPhase } from "@/server/generated/prisma/client";

export interface VClusterListQuery {
  projectId?: string;
  phases?: VClusterPhase[];
  /** Kubernetes-style: `env=prod,tier!=db,team` */
  labelSelector?: string;
  search?: string;
  sort: "name" | "createdAt" | "phase";
  order: "asc" | "desc";
  limit: number;
  /** id of the last row of the previous page */
  cursor?: string;
}

export interface VClusterRow {
  id: string;
  name: string;
  projectId: string;
  projectName: string;
  phase: VClusterPhase;
  kubernetesVersion: string;
  replicas: number;
  readyReplicas: number;
  hostClusterName: string | null;
  labels: Record<string, string>;
  createdAt: Date;
}

export interface VClusterPage {
  items: VClusterRow[];
  nextCursor: string | null;
  total: number;
}

export const ROW_SELECT = {
  id: true,
  name: true,
  projectId: true,
  project: { select: { name: true } },
  phase: true,
  kubernetesVersion: true,
  replicas: true,
  readyReplicas: true,
  hostCluster: { select: { name: true } },
  labels: true,
  createdAt: true,
} as const satisfies Prisma.VClusterSelect;

type RowRecord = Prisma.VClusterGetPayload<{ select: typeof ROW_SELECT }>;

export function rowOf(r: RowRecord): VClusterRow {
  return {
    id: r.id,
    name: r.name,
    projectId: r.projectId,
    projectName: r.project.name,
    phase: r.phase,
    kubernetesVersion: r.kubernetesVersion,
    replicas: r.replicas,
    readyReplicas: r.readyReplicas,
    hostClusterName: r.hostCluster?.name ?? null,
    labels: (r.labels ?? {}) as Record<string, string>,
    createdAt: r.createdAt,
  };
}

const LABEL_TERM = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)?\s*([A-Za-z0-9._-]*)$/;

export function labelFilters(selector: string): Prisma.VClusterWhereInput[] {
  return selector
    .split(",")
    .map((term) => term.trim())
    .filter(Boolean)
    .map((term) => {
      const negated = term.startsWith("!");
      const m = LABEL_TERM.exec(negated ? term.slice(1) : term);
      if (!m) throw invalidField("labelSelector", `"${term}" is not a label selector term (key, !key, key=value or key!=value)`);
      const [, key, op, value] = m;
      // Label values are always strings, so "contains the empty string" is "the key is set".
      const present: Prisma.VClusterWhereInput = { labels: { path: [key], string_contains: "" } };
      if (!op) return negated ? { NOT: present } : present;
      const match = { labels: { path: [key], equals: value } };
      return op === "!=" ? { NOT: match } : match;
    });
}

/** The clusters the caller may see: those of their projects, or all for a platform admin. */
export async function listVClusters(db: Db, actor: Actor, query: VClusterListQuery): Promise<VClusterPage> {
  const and: Prisma.VClusterWhereInput[] = [];
  if (query.projectId) and.push({ projectId: query.projectId });
  if (!actor.isPlatformAdmin) and.push({ project: { memberships: { some: { userId: actor.userId } } } });
  if (query.phases?.length) and.push({ phase: { in: query.phases } });
  if (query.search) and.push({ name: { contains: query.search.toLowerCase() } });
  if (query.labelSelector) and.push(...labelFilters(query.labelSelector));
  const where: Prisma.VClusterWhereInput = { AND: and };
  const [rows, total] = await Promise.all([
    db.vCluster.findMany({
      where,
      orderBy: [{ [query.sort]: query.order }, { id: query.order }],
      take: query.limit + 1,
      ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
      select: ROW_SELECT,
    }),
    db.vCluster.count({ where }),
  ]);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(rowOf),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    total,
  };
}
