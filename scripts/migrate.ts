/** Applies drizzle/ migrations to DATABASE_URL (creating the database, utf8mb4, when missing). */
import { getEnv } from "../lib/config/env";
import { migrateDatabase } from "../lib/db/migrate";

migrateDatabase(getEnv().DATABASE_URL)
  .then(() => console.log("migrations applied"))
  .catch((err: unknown) => {
    console.error("migration failed:", err instanceof Error ? err.message : err);
    process.exit(1);
  });
