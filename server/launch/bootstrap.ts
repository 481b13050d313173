import type { Db } from "@/server/db/client";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "@/server/auth/password";
import { DEFAULT_QUOTA } from "@/server/services/quota";

/** Arbitrary and fixed, like the migration runner's (a different one): every instance must use the same. */
const BOOTSTRAP_LOCK_ID = 72_707_370;

export interface BootstrapResult {
  /** set only when this call created the first admin */
  admin: { email: string; generatedPassword: string | null } | null;
}

/**
 * On an empty database: the first platform admin (from ADMIN_EMAIL / ADMIN_PASSWORD, or a generated password the
 * caller prints once) and a `default` project they own, so a new portal is usable at once.
 *
 * Several instances may start at once on one empty database. Whether it is empty is decided again inside the
 * creating transaction while it holds a transaction-scoped advisory lock, so exactly one of them creates the admin
 * and the others see it and go on; a count outside the lock would let each of them see no user and all but one
 * then fail on the unique email.
 */
export async function bootstrapFirstAdmin(
  db: Db,
  options: { email?: string; password?: string },
): Promise<BootstrapResult> {
  // the common case (any later start) without hashing a password or taking the lock
  if ((await db.user.count()) > 0) return { admin: null };
  const email = (options.email || "admin@example.com").toLowerCase();
  if (options.password && options.password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = options.password || generatePassword();
  // hashed before the lock is taken: scrypt takes a fraction of a second that the other starters need not wait out
  const passwordHash = await hashPassword(password);
  const created = await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK_ID}::bigint)`;
      if ((await tx.user.count()) > 0) return false;
      const user = await tx.user.create({
        data: { email, name: "Administrator", passwordHash, isPlatformAdmin: true },
      });
      await tx.project.create({
        data: {
          slug: "default",
          name: "Default",
          description: "Created on first start",
          memberships: { create: { userId: user.id, role: "OWNER" } },
          quota: { create: DEFAULT_QUOTA },
        },
      });
      return true;
    },
    // the wait for the lock counts against the transaction's timeout (5 s by default); a busy server may need more
    { timeout: 30_000 },
  );
  return { admin: created ? { email, generatedPassword: options.password ? null : password } : null };
}
