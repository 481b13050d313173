import { randomBytes } from "node:crypto";
import type { Actor } from "@/server/auth/actor";
import { hashPassword } from "@/server/auth/password";
import type { Db } from "@/server/db/client";
import type { Role } from "@/server/generated/prisma/client";

const unique = () => randomBytes(4).toString("hex");

export async function createUser(
  db: Db,
  overrides: { email?: string; password?: string; isPlatformAdmin?: boolean; disabled?: boolean } = {},
) {
  return db.user.create({
    data: {
      email: overrides.email ?? `user-${unique()}@example.com`,
      name: "Test User",
      passwordHash: overrides.password ? await hashPassword(overrides.password) : null,
      isPlatformAdmin: overrides.isPlatformAdmin ?? false,
      disabled: overrides.disabled ?? false,
    },
  });
}

export async function createProject(db: Db, members: { userId: string; role: Role }[] = []) {
  const slug = `project-${unique()}`;
  return db.project.create({
    data: { slug, name: slug, memberships: { create: members } },
  });
}

export function actorOf(
  user: { id: string; email: string; isPlatformAdmin: boolean },
  tokenId: string | null = null,
): Actor {
  return { userId: user.id, email: user.email, isPlatformAdmin: user.isPlatformAdmin, tokenId };
}
