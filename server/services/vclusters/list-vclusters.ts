import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { invalidField } from "@/server/universal/errors";
import { Prisma, type VClusterPhase } from "@/server/generated/prisma/client";
import type { VClusterRow } from "@/server/universal/vcluster-view";

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

/**
 * The label selector as SQL conditions, each exactly what Prisma generated for the JSON filters this list used
 * before it became one statement (`path` + `equals` / `string_contains: ""`, under NOT for `!=` and `!key`), so
 * NULL semantics on a missing key stay as they were.
 */
export function labelConditions(selector: string): Prisma.Sql[] {
  return selector
    .split(",")
    .map((term) => term.trim())
    .filter(Boolean)
    .map((term) => {
      const negated = term.startsWith("!");
      const m = LABEL_TERM.exec(negated ? term.slice(1) : term);
      if (!m)
        throw invalidField(
          "labelSelector",
          `"${term}" is not a label selector term (key, !key, key=value or key!=value)`,
        );
      const [, key, op, value] = m;
      // Label values are always strings, so "contains the empty string" is "the key is set".
      if (!op) {
        return negated
          ? Prisma.sql`(NOT ((v.labels #>> ARRAY[${key}]::text[]) LIKE ('%' || ${""} || '%') OR jsonb_typeof(v.labels #> ARRAY[${key}]::text[]) != ${"string"}))`
          : Prisma.sql`((v.labels #>> ARRAY[${key}]::text[]) LIKE ('%' || ${""} || '%') AND jsonb_typeof(v.labels #> ARRAY[${key}]::text[]) = ${"string"})`;
      }
      const match = Prisma.sql`(v.labels #> ARRAY[${key}]::text[])::jsonb = ${JSON.stringify(value)}::jsonb`;
      return op === "!=" ? Prisma.sql`(NOT ${match})` : match;
    });
}

const SORT_COLUMN = {
  name: Prisma.sql`v.name`,
  createdAt: Prisma.sql`v."createdAt"`,
  phase: Prisma.sql`v.phase`,
} as const;

type PageRecord = Omit<VClusterRow, "id" | "labels"> & { total: number; id: string | null; labels: Prisma.JsonValue };

/**
 * The clusters the caller may see: those of their projects, or all for a platform admin. Authorization (the
 * membership EXISTS), the page and the total are one statement, one round trip: the page is joined laterally to
 * the one-row count, so an empty page still brings its total. Filters, order and cursor are those Prisma's
 * `findMany({ cursor, skip: 1 })` + `count` generated (a missing cursor row gives an empty page).
 */
export async function listVClusters(db: Db, actor: Actor, query: VClusterListQuery): Promise<VClusterPage> {
  const and: Prisma.Sql[] = [];
  if (query.projectId) and.push(Prisma.sql`v."projectId" = ${query.projectId}`);
  if (!actor.isPlatformAdmin)
    and.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "Membership" m WHERE m."userId" = ${actor.userId} AND m."projectId" = v."projectId")`,
    );
  if (query.phases?.length)
    and.push(
      Prisma.sql`v.phase IN (${Prisma.join(query.phases.map((phase) => Prisma.sql`CAST(${phase}::text AS "VClusterPhase")`))})`,
    );
  // LIKE without escaping, as Prisma's `contains` does: `_` and `%` in a search stay wildcards
  if (query.search) and.push(Prisma.sql`v.name LIKE ('%' || ${query.search.toLowerCase()} || '%')`);
  if (query.labelSelector) and.push(...labelConditions(query.labelSelector));
  const where = and.length ? Prisma.join(and, " AND ") : Prisma.sql`TRUE`;

  const column = SORT_COLUMN[query.sort];
  const desc = query.order === "desc";
  const direction = desc ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  let paged = where;
  if (query.cursor) {
    const at = Prisma.sql`(SELECT c.${Prisma.raw(query.sort === "createdAt" ? '"createdAt"' : query.sort)} FROM "VCluster" c WHERE c.id = ${query.cursor})`;
    const atId = Prisma.sql`(SELECT c.id FROM "VCluster" c WHERE c.id = ${query.cursor})`;
    const after = desc
      ? Prisma.sql`((${column} = ${at} AND v.id <= ${atId}) OR ${column} < ${at})`
      : Prisma.sql`((${column} = ${at} AND v.id >= ${atId}) OR ${column} > ${at})`;
    paged = Prisma.sql`${where} AND ${after}`;
  }
  const records = await db.$queryRaw<PageRecord[]>`
    SELECT t.total, r.* FROM (SELECT count(*)::int AS total FROM "VCluster" v WHERE ${where}) t
    LEFT JOIN LATERAL (
      SELECT v.id, v.name, v."projectId", p.name AS "projectName", v.phase::text AS phase, v."kubernetesVersion", v.replicas, v."readyReplicas",
        h.name AS "hostClusterName", v.labels, v."createdAt", ${column} AS sort_key
      FROM "VCluster" v JOIN "Project" p ON p.id = v."projectId" LEFT JOIN "HostCluster" h ON h.id = v."hostClusterId"
      WHERE ${paged}
      ORDER BY ${column} ${direction}, v.id ${direction}
      LIMIT ${query.limit + 1} OFFSET ${query.cursor ? 1 : 0}
    ) r ON TRUE
    ORDER BY r.sort_key ${direction}, r.id ${direction}`;
  const total = records[0]?.total ?? 0;
  const rows = records.filter((r): r is PageRecord & { id: string } => r.id !== null);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      name: r.name,
      projectId: r.projectId,
      projectName: r.projectName,
      phase: r.phase,
      kubernetesVersion: r.kubernetesVersion,
      replicas: r.replicas,
      readyReplicas: r.readyReplicas,
      hostClusterName: r.hostClusterName,
      labels: (r.labels ?? {}) as Record<string, string>,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    total,
  };
}
