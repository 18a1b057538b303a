/**
 * Imports an Unleash client features payload (issue 14) with the same verb as
 * POST /api/v1/import/unleash, without the API's body limit:
 *
 *   node --import tsx scripts/import-unleash.ts features.json --environment production [--namespace web] [--dry-run] [--reason "..."]
 *
 * `features.json` is Unleash's /api/client/features response (with segments). Runs as the system
 * actor against DATABASE_URL; the worker's relay publishes the outbox rows the import commits.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { systemActor } from "../lib/auth/actor";
import { getEnv } from "../lib/config/env";
import { closeDb, createDb } from "../lib/db/client";
import { ServiceError } from "../lib/errors/service-error";
import { importUnleash } from "../lib/import/import-unleash";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { environment: { type: "string" }, namespace: { type: "string" }, "dry-run": { type: "boolean" }, reason: { type: "string" } },
});

async function main(): Promise<void> {
  const file = positionals[0];
  if (!file || !values.environment) throw new Error("usage: import-unleash.ts <features.json> --environment <env> [--namespace <ns>] [--dry-run] [--reason <text>]");
  const payload: unknown = JSON.parse(await readFile(file, "utf8"));
  const db = createDb(getEnv().DATABASE_URL);
  try {
    const report = await importUnleash({
      ctx: { db, actor: systemActor("import-unleash") },
      input: { environment: values.environment, namespace: values.namespace, dryRun: values["dry-run"] ?? false, reason: values.reason, payload },
    });
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await closeDb(db);
  }
}

main().catch((err: unknown) => {
  if (err instanceof ServiceError) console.error(`import refused (${err.code}): ${err.message}`, JSON.stringify(err.issues ?? [], null, 2));
  else console.error("import failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
