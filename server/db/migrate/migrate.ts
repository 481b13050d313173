/** `npm run db:migrate`: applies prisma/migrations to DATABASE_URL. */
import { applyMigrations } from "./apply-migrations";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set (the embedded database is migrated by `npm start` itself)");
  process.exit(2);
}
const report = await applyMigrations(url);
console.log(`migrations: ${report.applied.length} applied, ${report.alreadyApplied} already applied`);
