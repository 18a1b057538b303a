import { count, eq } from "drizzle-orm";
import { outboxEvents } from "../../../lib/db/schema";
import { FLAGS_DIR, TOMBSTONES_DIR } from "../../../lib/etcd/keys";
import { createImmediatePublisher } from "../../../lib/outbox/immediate-publisher";
import { OutboxRelay } from "../../../workers/relay/outbox-relay";
import type { ServiceContext } from "../../../lib/core/context";
import { createEnvironment } from "../../../lib/environments/environment-verbs";
import { createFlag } from "../../../lib/flags/create-flag";
import { setFlagValue } from "../../../lib/values/set-flag-value";
import { setTargeting } from "../../../lib/rules/targeting-verbs";
import { createNamespace } from "../../../lib/namespaces/namespace-verbs";
import { createSdkKey, revokeSdkKey } from "../../../lib/sdk-keys";
import { createTestEnv, type TestEnv } from "../../../tests/support/test-env";
import { startStreamServer } from "../../../workers/stream-server/server";

type StreamServer = Awaited<ReturnType<typeof startStreamServer>>;

/**
 * The real delivery path for SDK integration tests: a fresh MariaDB database and etcd prefix,
 * flags written through the service verbs and published right after commit by the immediate
 * publisher, and the real stream server (watch hub + SSE) on a fixed port that survives restarts.
 */
export interface StreamFixture {
  env: TestEnv;
  ctx: ServiceContext;
  /** Base URL of the stream server (stable across `stop()`/`start()`). */
  url: string;
  port: number;
  server(): StreamServer | null;
  stop(): Promise<void>;
  start(): Promise<void>;
  sdkKey(namespaces: string[] | null, environment?: string): Promise<string>;
  /** Creates a key and returns it with its id (for revocation). */
  sdkKeyWithId(namespaces: string[] | null, environment?: string): Promise<{ key: string; id: number }>;
  revoke(id: number): Promise<void>;
  flag(namespace: string, key: string, type: "boolean" | "string" | "number" | "json", values: Record<string, unknown>): Promise<void>;
  set(namespace: string, key: string, value: unknown, environment?: string): Promise<number>;
  /** Saves a flag's rules (docs/TARGETING.md) through the verb and waits until they are published. */
  rules(namespace: string, key: string, targeting: Record<string, unknown>, environment?: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startStreamFixture(
  opts: { namespaces?: string[]; environments?: string[]; heartbeatMs?: number } = {},
): Promise<StreamFixture> {
  const env = await createTestEnv();
  const ctx = env.ctx(undefined, { onCommitted: createImmediatePublisher(env.db, env.etcd.root) });
  for (const key of opts.environments ?? ["production", "staging"]) await createEnvironment({ ctx, input: { key, name: key } });
  for (const key of opts.namespaces ?? ["checkout", "search"]) await createNamespace({ ctx, input: { key, name: key } });
  let server: StreamServer | null = await startStreamServer({ db: env.db, root: env.etcd.root, host: "127.0.0.1", port: 0, heartbeatMs: opts.heartbeatMs });
  const port = server.port;
  // The immediate publisher is the fast path; under load one of its publishes can fail, and in
  // production the relay then publishes the row. Tests do the same, so a write is in etcd before
  // the test goes on.
  const relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} }, {});
  // In etcd is not yet in the stream server's hub (its watch trails by a few ms): a client that
  // connects right after would get a snapshot without the write and the write as a later event.
  // Tests expect "published" to mean "what a new client's snapshot holds", so wait for the hub too.
  const hubCaughtUp = async () => {
    if (!server) return;
    const dirs = await Promise.all([FLAGS_DIR, TOMBSTONES_DIR].map((dir) => env.etcd.root.getAll().prefix(dir).exec()));
    const newest = Math.max(0, ...dirs.flatMap((res) => res.kvs.map((kv) => Number(kv.mod_revision))));
    for (let i = 0; i < 250 && server && server.hub.currentRevision < newest; i++) await new Promise((r) => setTimeout(r, 20));
    if (server && server.hub.currentRevision < newest) throw new Error(`stream server hub stuck below revision ${newest}`);
  };
  const published = async () => {
    for (let i = 0; i < 200; i++) {
      const [p] = await env.db.select({ n: count() }).from(outboxEvents).where(eq(outboxEvents.status, "pending"));
      if (!p?.n) return hubCaughtUp();
      if (i % 10 === 9) await relay.runOnce();
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("outbox rows were not published");
  };
  const sdkKeyWithId = async (namespaces: string[] | null, environment = "production") => {
    const name = `sdk-test-${Math.random().toString(36).slice(2, 8)}`;
    const created = await createSdkKey({ ctx, input: { name, environment, namespaces } });
    return { key: created.key, id: created.sdkKey.id };
  };
  return {
    env,
    ctx,
    port,
    url: `http://127.0.0.1:${port}`,
    server: () => server,
    async stop() {
      await server?.close();
      server = null;
    },
    async start() {
      if (!server) server = await startStreamServer({ db: env.db, root: env.etcd.root, host: "127.0.0.1", port, heartbeatMs: opts.heartbeatMs });
    },
    async sdkKey(namespaces, environment = "production") {
      return (await sdkKeyWithId(namespaces, environment)).key;
    },
    sdkKeyWithId,
    async revoke(id) {
      await revokeSdkKey({ ctx, input: { id } });
    },
    async flag(namespace, key, type, values) {
      await createFlag({ ctx, input: { namespace, key, type, values } });
      await published();
    },
    async set(namespace, key, value, environment = "production") {
      const view = await setFlagValue({ ctx, input: { namespace, key, environment, value } });
      await published();
      return view.values[environment]!.version;
    },
    async rules(namespace, key, targeting, environment = "production") {
      await setTargeting({ ctx, input: { namespace, key, environment, ...targeting } });
      await published();
    },
    async cleanup() {
      await server?.close().catch(() => {});
      server = null;
      await env.cleanup();
    },
  };
}
