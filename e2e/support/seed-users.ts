/**
 * Prepares a fresh DATA_DIR before the portal's first start, as an operator would before inviting people: the first
 * admin (what `npm start` would create), a non-admin user who can only view the default project, and a non-admin
 * user of no project yet (the invitations spec makes them an owner). The portal has no sign-up, and credentials users are created by operators, so the seed
 * writes them directly.
 *   tsx e2e/support/seed-users.ts   (env: DATA_DIR, ADMIN_EMAIL, ADMIN_PASSWORD, VIEWER_EMAIL, VIEWER_PASSWORD,
 *                                         OWNER_EMAIL, OWNER_PASSWORD)
 */
import path from "node:path";
import { hashPassword } from "@/server/auth/password";
import { createDb } from "@/server/db/client";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { applyMigrations } from "@/server/db/migrate/apply-migrations";
import { bootstrapFirstAdmin } from "@/server/launch/bootstrap";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const pg = await startEmbeddedPostgres({ dataDir: path.join(required("DATA_DIR"), "pg") });
try {
  await applyMigrations(pg.url);
  const db = createDb(pg.url);
  try {
    await bootstrapFirstAdmin(db, { email: required("ADMIN_EMAIL"), password: required("ADMIN_PASSWORD") });
    const project = await db.project.findUniqueOrThrow({ where: { slug: "default" } });
    await db.user.create({
      data: {
        email: required("VIEWER_EMAIL"),
        name: "Vera Viewer",
        passwordHash: await hashPassword(required("VIEWER_PASSWORD")),
        memberships: { create: { projectId: project.id, role: "VIEWER" } },
      },
    });
    await db.user.create({
      data: {
        email: required("OWNER_EMAIL"),
        name: "Olga Owner",
        passwordHash: await hashPassword(required("OWNER_PASSWORD")),
      },
    });
  } finally {
    await db.$disconnect();
  }
} finally {
  await pg.stop();
}
