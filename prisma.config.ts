import { defineConfig } from "prisma/config";
import { fileURLToPath } from "node:url";

// Prisma's CLI insists on a schema-engine binary it cannot download here; generate/validate/format never run it,
// and migrations are made and applied by our own scripts (see README), so any existing file satisfies the check.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
