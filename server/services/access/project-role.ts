/**
 * Who may act where, decided in one place: the caller's role in a project, reached directly or through a vcluster
 * or snapshot of it, in one query. Outside the caller's projects the answer is NOT_FOUND, so other tenants' objects
 * are not even confirmed to exist; below the needed role it is FORBIDDEN. Platform admins act as owners everywhere.
 */
import { Prisma, type Role } from "@/server/generated/prisma/client";
import type { Actor } from "@/server/auth/actor";
import type { Db, Tx } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import { atLeast } from "@/server/universal/roles";

export type ScopeTable = "project" | "vcluster" | "snapshot";

const TABLE: Record<ScopeTable, { from: Prisma.Sql; projectColumn: Prisma.Sql; noun: string }> = {
  project: { from: Prisma.sql`"Project"`, projectColumn: Prisma.sql`t.id`, noun: "project" },
  vcluster: { from: Prisma.sql`"VCluster"`, projectColumn: Prisma.sql`t."projectId"`, noun: "vcluster" },
  snapshot: { from: Prisma.sql`"Snapshot"`, projectColumn: Prisma.sql`t."projectId"`, noun: "snapshot" },
};

export interface ProjectRole {
  projectId: string;
  role: Role;
}

/** The caller's role in the project an object belongs to, or null when it does not exist or they are not a member. */
export async function roleThrough(
  db: Db | Tx,
  actor: Actor,
  table: ScopeTable,
  id: string,
): Promise<ProjectRole | null> {
  const { from, projectColumn } = TABLE[table];
  const rows = await db.$queryRaw<{ projectId: string; role: Role | null }[]>`
    SELECT ${projectColumn} AS "projectId", m.role::text AS role
    FROM ${from} t LEFT JOIN "Membership" m ON m."projectId" = ${projectColumn} AND m."userId" = ${actor.userId}
    WHERE t.id = ${id}`;
  const row = rows[0];
  if (!row) return null;
  const role = actor.isPlatformAdmin ? "OWNER" : row.role;
  return role ? { projectId: row.projectId, role } : null;
}

/** The caller's role in a project they belong to (OWNER for platform admins), else null. */
export async function roleIn(db: Db | Tx, actor: Actor, projectId: string): Promise<Role | null> {
  if (actor.isPlatformAdmin) return "OWNER";
  const membership = await db.membership.findUnique({
    where: { userId_projectId: { userId: actor.userId, projectId } },
    select: { role: true },
  });
  return membership?.role ?? null;
}

/** Refuses a caller without `minimum`: NOT_FOUND when they have no role at all, FORBIDDEN when it is too low. */
export function requireRole<R extends { role: Role } | null>(
  found: R,
  minimum: Role,
  noun: string,
  where = "the project",
): NonNullable<R> {
  if (!found) throw new AppError("NOT_FOUND", `${noun} not found`);
  if (!atLeast(found.role, minimum))
    throw new AppError("FORBIDDEN", `this needs the ${minimum} role in ${where}; you are ${found.role}`);
  return found as NonNullable<R>;
}

/** The caller's role through an object, refused below `minimum`. */
export async function authorizeThrough(
  db: Db | Tx,
  actor: Actor,
  table: ScopeTable,
  id: string,
  minimum: Role,
): Promise<ProjectRole> {
  return requireRole(await roleThrough(db, actor, table, id), minimum, TABLE[table].noun);
}
