/**
 * A stand-in stream-serving process for presence tests: publishes a presence summary with one
 * client (environment from PRESENCE_ENV) on a short lease, prints "published", then idles until it
 * is killed. SIGKILL is a real crash: no revoke, the keepalives just stop.
 */
import { createEtcd } from "../../lib/etcd/client";
import { PresenceTable } from "../../lib/delivery/presence/client-presence";
import { PresencePublisher } from "../../lib/delivery/presence/presence-publisher";

const etcd = createEtcd(process.env.ETCD_ENDPOINTS!.split(","), process.env.ETCD_PREFIX!);
const table = new PresenceTable();
table.record(1, "child-client-1", { environment: process.env.PRESENCE_ENV!, scope: "*", revision: 7, state: "ready", lastSeen: Date.now() });
const publisher = new PresencePublisher({ root: etcd.root, table, processId: process.env.PRESENCE_PROCESS_ID, leaseTtlSeconds: 2, intervalMs: 500 });
publisher.start();
await publisher.tick();
process.stdout.write("published\n");
setInterval(() => {}, 60_000);
