import { TrustedProxiesSchema } from "../config/trusted-proxies";
import { getDb } from "../db/client";
import { getEtcd } from "../etcd/client";
import { componentLogger } from "../observability/logger";
import { StreamCore } from "./stream/stream-core";
import { WatchHub } from "./hub/watch-hub";

/**
 * The per-process hub and stream core behind the Next.js SDK route handlers, created on first use
 * and kept on globalThis so dev reloads and multiple route modules share one etcd watch. The core
 * also holds this process's SDK presence table and publishes it to etcd (client-report.ts); there
 * is no shutdown hook here, so on exit the summary goes when its 10 s lease expires.
 */
const slot = globalThis as unknown as { mizuflowDelivery?: { hub: WatchHub; core: StreamCore } };

const log = (level: "info" | "warn" | "error", msg: string, err?: unknown) => componentLogger("delivery")[level](err === undefined ? {} : { err }, msg);

/**
 * Only this setting is read here (getEnv() would demand DATABASE_URL even where the process's
 * database handle is provided otherwise); a production start has validated it with the rest.
 */
function trustedProxies(): string[] {
  return TrustedProxiesSchema.parse(process.env.TRUSTED_PROXIES);
}

export function getProcessDelivery(): { hub: WatchHub; core: StreamCore } {
  if (!slot.mizuflowDelivery) {
    const hub = new WatchHub({ root: getEtcd().root, log });
    const core = new StreamCore({ db: getDb(), hub, transport: "next", trustedProxies: trustedProxies(), log });
    slot.mizuflowDelivery = { hub, core };
  }
  return slot.mizuflowDelivery;
}
