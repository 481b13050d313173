import type { Db } from "@/server/db/client";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "@/server/auth/password";
import { DEFAULT_QUOTA } from "@/server/services/quota";

export interface BootstrapResult {
  /** set only when this call created the first admin */
  admin: { email: string; generatedPassword: string | null } | null;
}

/**
 * On an empty database: the first platform admin (from ADMIN_EMAIL / ADMIN_PASSWORD, or a generated password the
 * caller prints once) and a `default` project they own, so a new portal is usable at once.
 */
export async function bootstrapFirstAdmin(
  db: Db,
  options: { email?: string; password?: string },
): Promise<BootstrapResult> {
  if ((await db.user.count()) > 0) return { admin: null };
  const email = (options.email || "admin@example.com").toLowerCase();
  if (options.password && options.password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = options.password || generatePassword();
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    const user = await tx.user.create({ data: { email, name: "Administrator", passwordHash, isPlatformAdmin: true } });
    await tx.project.create({
      data: {
        slug: "default",
        name: "Default",
        description: "Created on first start",
        memberships: { create: { userId: user.id, role: "OWNER" } },
        quota: { create: DEFAULT_QUOTA },
      },
    });
  });
  return { admin: { email, generatedPassword: options.password ? null : password } };
}
