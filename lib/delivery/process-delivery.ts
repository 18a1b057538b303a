import { getDb } from "../db/client";
import { redactQueryParams } from "../db/errors";
import { getEtcd } from "../etcd/client";
import { StreamCore } from "./stream-core";
import { WatchHub } from "./watch-hub";

/**
 * The per-process hub and stream core behind the Next.js SDK route handlers, created on first use
 * and kept on globalThis so dev reloads and multiple route modules share one etcd watch. The core
 * also holds this process's SDK presence table and publishes it to etcd (client-report.ts); there
 * is no shutdown hook here, so on exit the summary goes when its 10 s lease expires.
 */
const slot = globalThis as unknown as { mizuflowDelivery?: { hub: WatchHub; core: StreamCore } };

const log = (level: "info" | "warn" | "error", msg: string, err?: unknown) => {
  const line = `[delivery] ${msg}${err ? `: ${redactQueryParams(err instanceof Error ? err.message : String(err))}` : ""}`;
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
};

export function getProcessDelivery(): { hub: WatchHub; core: StreamCore } {
  if (!slot.mizuflowDelivery) {
    const hub = new WatchHub({ root: getEtcd().root, log });
    const core = new StreamCore({ db: getDb(), hub, transport: "next", log });
    slot.mizuflowDelivery = { hub, core };
  }
  return slot.mizuflowDelivery;
}
