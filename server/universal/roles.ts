import type { Role } from "@/server/generated/prisma/enums";

/** Project roles in order: each may do all the one below it may. */
const RANK: Record<Role, number> = { VIEWER: 1, MEMBER: 2, OWNER: 3 };

export function atLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}
