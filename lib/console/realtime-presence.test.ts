import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PresenceTable, type PresenceEntry } from "../delivery/presence/client-presence";
import { flagAdoption } from "../delivery/presence/flag-adoption";
import { PresencePublisher } from "../delivery/presence/presence-publisher";
import { SYSTEM_ACTOR } from "../auth/actor";
import { createTestEnv, userActor, waitFor, type TestEnv, useAsProcessServices } from "../../tests/support/test-env";
import { flagRevision, putFlag } from "../../tests/support/stream-server/fixtures";

/**
 * The console's SDK client figures (realtime panel and flag page) from presence summaries in a real
 * etcd, read through this app process's watch hub. The RBAC guarantee: a viewer who cannot see a
 * namespace learns nothing about it, not even that a client scoped to it exists.
 */
let env: TestEnv;
let presence: typeof import("./realtime-presence");
let delivery: typeof import("../delivery/process-delivery");
let publisher: PresencePublisher;
const table = new PresenceTable();
const web = { environment: "prod", namespace: "web", key: "banner" };
const api = { environment: "prod", namespace: "api", key: "limits" };
let webRev = 0;

const webViewer = userActor("web-viewer", [{ namespaceKey: "web", role: "viewer", environmentKeys: null }]);
const nobody = userActor("no-grants", []);
const entry = (revision: number, scope: string): PresenceEntry => ({ environment: "prod", scope, revision, state: "ready", lastSeen: Date.now() });

beforeAll(async () => {
  env = await createTestEnv();
  useAsProcessServices(env);
  presence = await import("./realtime-presence");
  delivery = await import("../delivery/process-delivery");
  await putFlag(env.etcd.root, web, 1, true);
  webRev = await flagRevision(env.etcd.root, web);
  await putFlag(env.etcd.root, api, 1, true);
  const apiRev = await flagRevision(env.etcd.root, api);
  const { hub } = delivery.getProcessDelivery();
  await waitFor(() => hub.ready && hub.currentRevision >= apiRev, "the app's hub to apply both flags", 5_000);
  table.record(1, "all-namespaces-current", entry(apiRev, "*")); // has everything
  table.record(1, "all-namespaces-behind", entry(webRev - 1, "*")); // lacks both changes
  table.record(2, "web-only-current", entry(webRev, "web")); // has web's change (api's is not in its scope)
  table.record(3, "api-only-behind", entry(webRev, "api")); // lacks api's change
  publisher = new PresencePublisher({ root: env.etcd.root, table, intervalMs: 60_000 });
  await publisher.tick();
});

afterAll(async () => {
  await publisher.stop();
  const { core, hub } = delivery.getProcessDelivery();
  await core.close();
  await hub.stop();
  await env.cleanup();
});

describe("console SDK client figures", () => {
  it("guarantee: the realtime figures cover every client for a super-admin, judging each on its own scope's last change", async () => {
    const stats = await presence.readPresenceStats(SYSTEM_ACTOR);
    expect(stats.available).toBe(true);
    expect(stats.processes).toBe(1);
    expect(stats.environments).toEqual([{ environment: "prod", clients: 4, current: 2 }]);
  });

  it("guarantee: a viewer of 'web' only sees clients that can read web, judged on web alone; a user without grants sees nothing", async () => {
    expect((await presence.readPresenceStats(webViewer)).environments).toEqual([{ environment: "prod", clients: 3, current: 2 }]);
    expect((await presence.readPresenceStats(nobody)).environments).toEqual([]);
  });

  it("guarantee: 'N of M clients have this change' counts clients whose key covers the flag's namespace, N at its mod_revision or later", async () => {
    const adoption = await flagAdoption(env.etcd.root, "web", "banner", ["prod", "staging"]);
    expect(adoption).toEqual({ prod: { revision: webRev, clients: 3, withChange: 2 }, staging: null });
    expect((await flagAdoption(env.etcd.root, "api", "limits", ["prod"])).prod).toMatchObject({ clients: 3, withChange: 1 });
  });
});
