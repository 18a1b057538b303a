import { createDb } from "../../lib/db/client";
import { createEtcd } from "../../lib/etcd/client";
import { startStreamServer } from "../../workers/stream-server/server";

/**
 * Benchmark child: the worker's stream server (SDK stream + OFREP) with production defaults: the
 * pool workers/main.ts opens (min(DB_POOL_SIZE, 10), DB_POOL_SIZE defaulting to 20) and every
 * limit of startStreamServer at its default, as workers/main.ts starts it.
 */
const db = createDb(process.env.DATABASE_URL!, 10);
const { root } = createEtcd(process.env.ETCD_ENDPOINTS!.split(","), process.env.ETCD_PREFIX!);
const server = await startStreamServer({ db, root, port: 0 });
if (!(await server.hub.whenReady(30_000))) throw new Error("hub not ready");
process.on("SIGTERM", () => void server.close().finally(() => process.exit(0)));
process.send!({ type: "ready", port: server.port });
