import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` is used (push/pull do not work against MariaDB); migrations are
// applied by scripts/migrate.ts through drizzle's migrator.
export default defineConfig({
  dialect: "mysql",
  schema: "./lib/db/schema/index.ts",
  out: "./drizzle",
});
