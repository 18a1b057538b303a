/**
 * Seeds the demo data into the database named by DATABASE_URL:
 *
 *   npx tsx lib/seed/cli.ts --email admin@example.com [--password '...']
 *   (or MIZUFLOW_ADMIN_EMAIL / MIZUFLOW_ADMIN_PASSWORD in the environment)
 *
 * Prints the admin password and API token when they were created by this run (they are shown only
 * once; the token expires after DEMO_TOKEN_EXPIRES_IN_DAYS, and the run says when). The worker's
 * relay publishes the seeded flags to etcd.
 */
import { parseArgs } from "node:util";
import { closeDb, getDb } from "../db/client";
import { seedDemo } from "./seed-demo";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: "string" }, password: { type: "string" } } });
  const adminEmail = values.email ?? process.env.MIZUFLOW_ADMIN_EMAIL ?? "admin@example.com";
  const db = getDb();
  try {
    const result = await seedDemo({ db, adminEmail, adminPassword: values.password ?? process.env.MIZUFLOW_ADMIN_PASSWORD });
    console.log(JSON.stringify(result, null, 2));
    // Notes for the person at the terminal go to stderr, so stdout stays one JSON document.
    if (result.apiToken) console.error(`The admin API token is a super-admin credential; it expires ${result.apiTokenExpiresAt} (run the seed again for a new one).`);
    for (const w of result.warnings) console.error(`Warning: ${w}`);
  } finally {
    await closeDb(db);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
