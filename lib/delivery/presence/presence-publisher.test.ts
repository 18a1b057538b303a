import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESENCE_DIR, presenceKey } from "../../etcd/keys";
import { raiseEtcdRevision } from "../../../tests/support/etcd-revision";
import { createTestEnv, waitFor, type TestEnv } from "../../../tests/support/test-env";
import { PresenceTable, type PresenceEntry } from "./client-presence";
import { PresencePublisher } from "./presence-publisher";
import { readPresence } from "./presence-reader";

/**
 * Presence across processes, on a real etcd: every stream-serving process publishes a summary of
 * its reporting clients under presence/{processId} (bound to a short lease), and any process merges
 * them to answer "N of M clients at revision >= R" per environment and namespace.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
let env: TestEnv;
const publishers: PresencePublisher[] = [];

const client = (revision: number, environment = "prod", scope = "*"): PresenceEntry => ({ environment, scope, revision, state: "ready", lastSeen: Date.now() });

function publisher(table: PresenceTable, extra: Partial<ConstructorParameters<typeof PresencePublisher>[0]> = {}) {
  const p = new PresencePublisher({ root: env.etcd.root, table, intervalMs: 60_000, ...extra });
  publishers.push(p);
  return p;
}

beforeAll(async () => {
  env = await createTestEnv();
  await raiseEtcdRevision(env.etcd.root, 200); // the made-up revisions below are ones etcd has reached
});

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await env.cleanup();
});

describe("presence summaries in etcd", () => {
  it("guarantee: two processes' summaries merge; M counts only clients whose key covers the namespace, N those at >= R", async () => {
    const a = new PresenceTable();
    const b = new PresenceTable();
    a.record(1, "a-client-1", client(100)); // every namespace of prod
    a.record(1, "a-client-2", client(90));
    a.record(2, "a-client-3", client(120, "prod", "web")); // web only
    b.record(1, "b-client-1", client(110));
    b.record(3, "b-client-2", client(130, "prod", "api,billing")); // other namespaces: never counted for web
    b.record(4, "b-client-3", client(140, "staging")); // other environment
    await Promise.all([publisher(a).tick(), publisher(b).tick()]);

    const view = await readPresence(env.etcd.root);
    expect(view.processes).toBe(2);
    expect(view.countFor("prod", "web", 100)).toEqual({ total: 4, atLeast: 3 });
    expect(view.countFor("prod", "web", 115)).toEqual({ total: 4, atLeast: 1 });
    expect(view.countFor("prod", "api", 100)).toEqual({ total: 4, atLeast: 3 });
    expect(view.countFor("prod", "search", 0)).toEqual({ total: 3, atLeast: 3 });
    expect(view.countFor("staging", "web", 141)).toEqual({ total: 1, atLeast: 0 });
    expect(view.countFor("dev", "web", 0)).toEqual({ total: 0, atLeast: 0 });

    // A viewer who may see only "web": the api/billing client is not counted at all, and "current"
    // is judged on web's last change alone.
    const lastChange = (_env: string, ns: readonly string[] | null) => (ns === null ? 125 : ns.includes("web") ? 95 : 135);
    expect(view.byEnvironment(new Set(["web"]), lastChange)).toEqual([
      { environment: "prod", clients: 4, current: 3 },
      { environment: "staging", clients: 1, current: 1 },
    ]);
    expect(view.byEnvironment(null, lastChange).find((e) => e.environment === "prod")).toEqual({ environment: "prod", clients: 5, current: 1 });
    expect(view.byEnvironment(new Set(), lastChange)).toEqual([]);
  });

  it("guarantee: unchanged summaries are not rewritten, and an emptied table withdraws its key", async () => {
    const t = new PresenceTable();
    const p = publisher(t);
    t.record(1, "quiet-client", client(5, "dev"));
    await p.tick();
    const modRevision = async () => (await env.etcd.root.get(p.key).exec()).kvs[0]?.mod_revision ?? null;
    const first = await modRevision();
    expect(first).not.toBeNull();
    t.record(1, "quiet-client", client(5, "dev")); // a heartbeat: same revision, same summary
    await p.tick();
    expect(await modRevision()).toBe(first);
    t.record(1, "quiet-client", { ...client(5, "dev"), state: "closed" });
    await p.tick();
    expect(await env.etcd.root.get(p.key).string()).toBeNull();
    expect((await readPresence(env.etcd.root)).countFor("dev", "x", 0).total).toBe(0);
  });

  it("guarantee: a process that dies (SIGKILL: no revoke, keepalives stop) loses its clients within the lease TTL", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/presence-child.ts"], {
      cwd: ROOT,
      env: { ...process.env, ETCD_ENDPOINTS: env.etcdEndpoints.join(","), ETCD_PREFIX: env.etcdPrefix, PRESENCE_ENV: "qa", PRESENCE_PROCESS_ID: "dying-process" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (c: Buffer) => (out += c.toString()).includes("published") && resolve());
        child.once("exit", (code) => reject(new Error(`child exited (${code}) before publishing`)));
      });
      expect((await readPresence(env.etcd.root)).countFor("qa", "any", 0)).toEqual({ total: 1, atLeast: 1 });
      child.kill("SIGKILL");
      await exited;
      const started = Date.now();
      await waitFor(async () => (await env.etcd.root.get(presenceKey("dying-process")).string()) === null, "the dead process's key to expire", 8_000, 100);
      // TTL 2 s; etcd checks expiry every 500 ms.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect((await readPresence(env.etcd.root)).countFor("qa", "any", 0).total).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("a summary that does not parse is skipped, never guessed at", async () => {
    await env.etcd.root.put(`${PRESENCE_DIR}garbage`).value("{not json").exec();
    await env.etcd.root.put(`${PRESENCE_DIR}future`).value(JSON.stringify({ v: 2, envs: { prod: { "*": [[1, 1]] } } })).exec();
    const view = await readPresence(env.etcd.root);
    expect(view.groups.some((g) => g.environment === "prod" && g.revisions.some(([r]) => r === 1))).toBe(false);
    await env.etcd.root.delete().prefix(PRESENCE_DIR).exec();
  });
});
