import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMariaDb, type MariaDbHandle } from "../../scripts/lib/local-services";
import { isDatabaseUnavailable } from "../../lib/errors/http";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { verifySdkKey } from "../../lib/sdk-keys/verify-sdk-key";
import { createTestEnv, type TestEnv } from "../support/test-env";

/**
 * Guarantee: during a MySQL outage, SDKs whose key verified before the outage can still connect and
 * reconnect (streams serve from etcd), while keys never seen before are refused with "unavailable"
 * rather than accepted.
 */
let base: string;
let db: MariaDbHandle;
let env: TestEnv;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mf-sdk-outage-"));
  db = await startMariaDb({ baseDir: base, database: "mizuflow" });
  env = await createTestEnv({ mysqlUrl: db.url });
});
afterAll(async () => {
  await env.cleanup().catch(() => {});
  await db.stop();
  await rm(base, { recursive: true, force: true });
});

describe("SDK key verification through a database outage", () => {
  it("keeps accepting keys verified before the outage and refuses unknown ones as unavailable", async () => {
    await createEnvironment({ ctx: env.ctx(), input: { key: "production", name: "Production" } });
    const known = await createSdkKey({ ctx: env.ctx(), input: { name: "svc", environment: "production", namespaces: null } });
    const other = await createSdkKey({ ctx: env.ctx(), input: { name: "never used", environment: "production", namespaces: null } });
    expect((await verifySdkKey(env.db, known.key)).status).toBe("ok");

    await db.kill();
    await new Promise((r) => setTimeout(r, 1_100)); // past the short cache: the next check goes to MySQL
    const during = await verifySdkKey(env.db, known.key);
    expect(during).toMatchObject({ status: "ok", principal: { environment: "production" } });
    const err = await verifySdkKey(env.db, other.key).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(err)).toBe(true);

    await db.restart();
    const after = await verifySdkKey(env.db, other.key);
    expect(after.status).toBe("ok");
  });
});
