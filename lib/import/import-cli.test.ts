import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flags } from "../db/schema";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { seedScopes } from "../../tests/support/workers/fixtures";

/**
 * Issue 14: scripts/import-unleash.ts runs the same verb as the API: a dry run prints the plan and
 * writes nothing; a real run writes the flags; a refused payload exits non-zero and writes nothing.
 */
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
let env: TestEnv;
let dir: string;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.ctx(), "default", ["production"]);
  dir = await mkdtemp(path.join(os.tmpdir(), "mf-import-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await env?.cleanup();
});

async function cli(payload: unknown, ...args: string[]) {
  const file = path.join(dir, `p-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(payload));
  return run(process.execPath, ["--import", "tsx", "scripts/import-unleash.ts", file, "--environment", "production", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: env.databaseUrl, ETCD_ENDPOINTS: env.etcdEndpoints.join(","), ETCD_PREFIX: env.etcdPrefix, LOG_LEVEL: "silent" },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("scripts/import-unleash.ts", () => {
  it("dry run prints the plan and writes nothing; the real run writes; a refused payload exits 1 and writes nothing", async () => {
    const payload = { features: [{ name: "from-cli", enabled: true, strategies: [{ name: "userWithId", parameters: { userIds: "u1,u2" } }] }] };
    const dry = await cli(payload, "--dry-run");
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, created: { flags: ["default/from-cli"] } });
    expect(await env.db.select().from(flags)).toHaveLength(0);

    const real = await cli(payload);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, created: { flags: ["default/from-cli"] } });
    expect((await env.db.select().from(flags)).map((f) => f.key)).toEqual(["from-cli"]);

    const bad = await cli({ features: [{ name: "Not A Key", enabled: true }, { name: "fine", enabled: true }] });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("import refused (validation_failed)");
    expect(await env.db.select().from(flags)).toHaveLength(1);
  }, 60_000);
});
