import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkLastSeen } from "../db/schema";
import { flagKey } from "../etcd/keys";
import { createFlag } from "../flags/create-flag";
import { createTestEnv, useAsProcessServices, type TestEnv } from "../../tests/support/test-env";
import { flagRevision, putFlag, seedScopes } from "../../tests/support/stream-server/fixtures";
import { listFlagPage, listFlagPageWithLastSeen } from "./flag-list-page";

/**
 * The flag list sorted by "last seen", against real MariaDB and etcd: the order covers every
 * matching flag (sightings from the flushed sdk_last_seen rows and etcd's create revisions), flags
 * never seen or served nowhere come last in both directions, and the page carries the sightings the
 * order was computed from.
 */
let env: TestEnv;
const OLDER = new Date("2026-01-01T10:00:00Z");
const NEWER = new Date("2026-01-02T10:00:00Z");
const ref = (namespace: string, key: string) => ({ environment: "prod", namespace, key });

async function published(namespace: string, key: string): Promise<number> {
  const existing = await env.etcd.root.get(flagKey(ref(namespace, key))).exec();
  if (!existing.kvs.length) await putFlag(env.etcd.root, ref(namespace, key), 1, true);
  return flagRevision(env.etcd.root, ref(namespace, key));
}

beforeAll(async () => {
  env = await createTestEnv();
  useAsProcessServices(env);
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["web", "api"] });
  for (const [namespace, key] of [["web", "w-a"], ["web", "w-b"], ["api", "a-a"], ["web", "w-d"]] as const) {
    await createFlag({ ctx: env.ctx(), input: { namespace, key, type: "boolean", defaultValue: false } });
  }
  // web/w-d is served nowhere (no document in etcd); the others are published, then seen by a flush.
  await env.etcd.root.delete().key(flagKey(ref("web", "w-d")));
  const webSeenAt = Math.max(await published("web", "w-a"), await published("web", "w-b"));
  const apiSeenAt = await published("api", "a-a");
  await env.db.insert(sdkLastSeen).values([
    { environmentKey: "prod", namespaceKey: "web", revision: webSeenAt, seenAt: NEWER },
    { environmentKey: "prod", namespaceKey: "api", revision: apiSeenAt, seenAt: OLDER },
  ]);
  // Published after the last sighting of its namespace: never seen.
  await createFlag({ ctx: env.ctx(), input: { namespace: "web", key: "w-c", type: "boolean", defaultValue: false } });
  await published("web", "w-c");
});

afterAll(async () => {
  await env?.cleanup();
});

const names = (r: { flags: { namespace: string; key: string }[] }) => r.flags.map((f) => `${f.namespace}/${f.key}`);

describe("flag list sorted by last seen", () => {
  it("guarantee: ascending orders seen flags oldest first (ties by namespace and key); never-seen and unserved flags come last", async () => {
    const r = await listFlagPage({ ctx: env.ctx(), input: { sort: "seen", dir: "asc" } });
    expect(r).toMatchObject({ total: 5, page: 1, pages: 1, sort: "seen", dir: "asc" });
    expect(names(r)).toEqual(["api/a-a", "web/w-a", "web/w-b", "web/w-c", "web/w-d"]);
  });

  it("guarantee: descending puts the most recent sighting first and still leaves never-seen flags last", async () => {
    const r = await listFlagPage({ ctx: env.ctx(), input: { sort: "seen", dir: "desc" } });
    expect(names(r)).toEqual(["web/w-b", "web/w-a", "api/a-a", "web/w-d", "web/w-c"]);
  });

  it("guarantee: filters apply before the order, and the page carries the sightings it was sorted by", async () => {
    const r = await listFlagPageWithLastSeen({ ctx: env.ctx(), input: { sort: "seen", dir: "desc", namespace: "web" } });
    expect(names(r)).toEqual(["web/w-b", "web/w-a", "web/w-d", "web/w-c"]);
    expect(r.lastSeen).toEqual({
      "web/w-b": { prod: { at: NEWER.toISOString(), live: false } },
      "web/w-a": { prod: { at: NEWER.toISOString(), live: false } },
      "web/w-d": {},
      "web/w-c": { prod: { at: null, live: false } },
    });
  });
});
