import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokens, sdkKeys, users } from "../../lib/db/schema";
import { seedDemo } from "../../lib/seed/seed-demo";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { listApiTokens } from "../../lib/api-tokens/list-api-tokens";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { listSdkKeys } from "../../lib/sdk-keys/list-sdk-keys";
import { createUser, setUserPassword } from "../../lib/users/user-verbs";
import { createTestEnv, type TestEnv } from "../support/test-env";

/**
 * Guarantee: passwords are stored only as bcrypt hashes, API tokens and SDK keys only as SHA-256
 * hashes. Secrets are made through the service verbs (and the demo seed), then the WHOLE database
 * (every row of every table, as text and as hex) and the whole etcd prefix are searched for each
 * plaintext: it must appear nowhere. Lists shown in the console and the API carry no secret either.
 */
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv();
  await createEnvironment({ ctx: env.ctx(), input: { key: "prod", name: "Production" } });
});
afterAll(async () => env.cleanup());

/** Every row of every table of this test's database, as one string (binary columns also in hex). */
async function dumpDatabase(): Promise<string> {
  const conn = await mysql.createConnection({ uri: env.databaseUrl });
  try {
    const [tables] = (await conn.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()")) as unknown as [{ t: string }[]];
    expect(tables.length).toBeGreaterThan(5);
    const parts: string[] = [];
    for (const { t } of tables) {
      const [rows] = (await conn.query(`SELECT * FROM \`${t}\``)) as unknown as [Record<string, unknown>[]];
      for (const row of rows) {
        for (const v of Object.values(row)) {
          if (Buffer.isBuffer(v)) parts.push(v.toString("utf8"), v.toString("hex"));
          else parts.push(typeof v === "string" ? v : JSON.stringify(v));
        }
      }
    }
    return parts.join("\n");
  } finally {
    await conn.end();
  }
}

async function dumpEtcd(): Promise<string> {
  const all = await env.etcd.root.getAll().strings();
  return Object.entries(all).map(([k, v]) => `${k}=${v}`).join("\n");
}

/** The plaintext and the parts of it that would give it away. */
function traces(secret: string): string[] {
  return [secret, secret.slice(-20), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("hex")];
}

describe("secrets at rest", () => {
  it("stores passwords as bcrypt hashes and tokens and SDK keys as SHA-256 hashes, and nowhere in plaintext", async () => {
    const ctx = env.ctx();
    const firstPassword = "first Pa55word for the dump test";
    const secondPassword = "second Pa55word for the dump test";
    const user = await createUser({ ctx, input: { email: "dump@example.test", name: "Dump", password: firstPassword } });
    await setUserPassword({ ctx, input: { userId: user.id, password: secondPassword } });
    const token = await createApiToken({ ctx, input: { name: "dump token", role: "admin", namespaces: null } });
    const sdk = await createSdkKey({ ctx, input: { name: "dump key", environment: "prod", namespaces: null } });
    const seeded = await seedDemo({ db: env.db, adminEmail: "seed-admin@example.test" });
    expect(seeded.adminPassword).toBeTruthy();
    expect(seeded.apiToken).toBeTruthy();

    const secrets = { firstPassword, secondPassword, token: token.token, sdkKey: sdk.key, seedPassword: seeded.adminPassword!, seedToken: seeded.apiToken! };
    const db = await dumpDatabase();
    const kv = await dumpEtcd();
    for (const [name, secret] of Object.entries(secrets)) {
      for (const t of traces(secret)) {
        expect(db.includes(t), `${name} found in the database dump`).toBe(false);
        expect(kv.includes(t), `${name} found in etcd`).toBe(false);
      }
    }

    // The stored forms are what they claim to be.
    const [u] = await env.db.select().from(users).where(eq(users.id, user.id));
    expect(u!.passwordHash).toMatch(/^\$2[aby]\$(1[0-9]|[2-3][0-9])\$[./A-Za-z0-9]{53}$/);
    expect(await bcrypt.compare(secondPassword, u!.passwordHash!)).toBe(true);
    expect(await bcrypt.compare(firstPassword, u!.passwordHash!)).toBe(false);
    const [t] = await env.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, createHash("sha256").update(token.token).digest("hex")));
    expect(t, "API token stored as its SHA-256").toBeTruthy();
    const [k] = await env.db.select().from(sdkKeys).where(eq(sdkKeys.keyHash, createHash("sha256").update(sdk.key).digest("hex")));
    expect(k, "SDK key stored as its SHA-256").toBeTruthy();
    // What lists show is a short prefix, never enough to use the secret.
    expect(token.token.startsWith(t!.prefix)).toBe(true);
    expect(t!.prefix.length).toBeLessThanOrEqual(16);
    expect(k!.prefix.length).toBeLessThanOrEqual(16);

    // Lists (console pages and the admin API) never carry the secret.
    const listed = JSON.stringify([await listApiTokens({ ctx }), await listSdkKeys({ ctx, input: {} })]);
    for (const secret of [token.token, sdk.key, seeded.apiToken!]) expect(listed.includes(secret)).toBe(false);
  });
});
