import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flagAdoption } from "../../lib/delivery/presence/flag-adoption";
import { readPresence } from "../../lib/delivery/presence/presence-reader";
import { presenceKey } from "../../lib/etcd/keys";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "./server";
import { etcdRevision, flagRevision, newSdkKey, putFlag, seedScopes } from "../../tests/support/stream-server/fixtures";

/**
 * Issue 12, item 7: revision reports are claims made with a public key. Guarantees, on the sidecar
 * stream server with production defaults against real MariaDB and etcd: a reported revision never
 * exceeds what the server has published (it is recorded as the published revision), and the
 * console's "N of M clients have this change" counts only plausible revisions, whatever a presence
 * summary in etcd says.
 */
const REPORT = "/api/sdk/v1/report";
const flag = { environment: "prod", namespace: "web", key: "banner" };
let env: TestEnv;
let server: StreamServer;
let base: string;
let key: string;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["web"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root });
  base = `http://127.0.0.1:${server.port}`;
  key = (await newSdkKey(env.db, "prod", ["web"])).key;
  await putFlag(env.etcd.root, flag, 1, true);
});
afterAll(async () => {
  await server.close();
  await env.cleanup();
});

const report = (clientId: string, revision: number) =>
  fetch(base + REPORT, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ clientId, revision, state: "ready", sdk: "forger/1" }),
  });

describe("forged revision reports", () => {
  it("guarantee: a report above the published revision is recorded at the published revision; an honest one as sent", async () => {
    const published = await etcdRevision(env.etcd.root);
    expect((await report("forged-client-1", Number.MAX_SAFE_INTEGER)).status).toBe(204);
    expect((await report("forged-client-2", published + 1_000_000)).status).toBe(204);
    expect((await report("honest-client-1", published)).status).toBe(204);
    const now = await etcdRevision(env.etcd.root);
    const recorded = server.core.reports.table.list().map((e) => e.revision);
    expect(recorded).toHaveLength(3);
    for (const r of recorded) expect(r).toBeLessThanOrEqual(now);
    expect(recorded[2]).toBe(published);
  });

  it("guarantee: the console counts only plausible revisions, even from a summary in etcd that claims more", async () => {
    const rev = await flagRevision(env.etcd.root, flag);
    // A summary as a broken or hostile process might write it: 500 clients "ahead" of everything.
    const forged = { v: 1, process: "forged", host: "x", pid: 1, clients: 501, envs: { prod: { web: [[Number.MAX_SAFE_INTEGER, 500], [rev, 1]] } } };
    await env.etcd.root.put(presenceKey("forged-process")).value(JSON.stringify(forged)).exec();
    // This server's three clients (above) reach etcd within its publish interval; the forged 500 never count.
    await waitFor(async () => (await readPresence(env.etcd.root)).countFor("prod", "web", 0).total === 4, "plausible clients only", 5_000, 100);
    const view = await readPresence(env.etcd.root);
    expect(view.processes).toBe(2);
    expect(view.countFor("prod", "web", rev)).toEqual({ total: 4, atLeast: 4 });
    const adoption = (await flagAdoption(env.etcd.root, "web", "banner", ["prod"])).prod;
    expect(adoption).toEqual({ revision: rev, clients: 4, withChange: 4 });
  });

  it("guarantee (fuzz): whatever revisions and client ids a key's holders send, none is recorded above etcd's revision and another key's clients stay", async () => {
    const other = await newSdkKey(env.db, "prod", ["web"]);
    const bystander = { clientId: "bystander-client", revision: await etcdRevision(env.etcd.root), state: "ready", sdk: "honest/1" };
    const sent = await fetch(base + REPORT, { method: "POST", headers: { authorization: `Bearer ${other.key}` }, body: JSON.stringify(bystander) });
    expect(sent.status).toBe(204);
    const revision = fc.oneof(fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 5_000 }));
    const clientId = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ clientId, revision }), { minLength: 1, maxLength: 8 }), async (batch) => {
        for (const r of batch) expect((await report(r.clientId, r.revision)).status).toBe(204);
        const ceiling = await etcdRevision(env.etcd.root);
        for (const e of server.core.reports.table.list()) expect(e.revision).toBeLessThanOrEqual(ceiling);
        expect(server.core.reports.table.get(other.id, "bystander-client")).toBeDefined();
      }),
      { numRuns: 15 }, // within the production per-key-and-address burst (200 reports)
    );
  });
});
