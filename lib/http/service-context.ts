import type { Actor, RequestMeta } from "../auth/actor";
import { componentLogger } from "../observability/logger";
import { getEnv } from "../config/env";
import { getDb } from "../db/client";
import { getEtcd } from "../etcd/client";
import { createImmediatePublisher } from "../outbox/immediate-publisher";
import type { ServiceContext } from "../core/context";

type OnCommitted = NonNullable<ServiceContext["onCommitted"]>;

// One publisher per process (globalThis survives dev reloads and duplicate module copies). null
// means "decided: off".
const g = globalThis as unknown as { mizuflowImmediatePublisher?: OnCommitted | null };

/**
 * The post-commit publisher of this process, created on first use and only when
 * IMMEDIATE_PUBLISH=on. With it off, changes reach etcd through the worker's relay alone.
 */
export function getImmediatePublisher(): OnCommitted | undefined {
  if (g.mizuflowImmediatePublisher === undefined) {
    g.mizuflowImmediatePublisher =
      getEnv().IMMEDIATE_PUBLISH === "on"
        ? createImmediatePublisher(getDb(), getEtcd().root, (msg, err) => componentLogger("http").warn({ err }, msg))
        : null;
  }
  return g.mizuflowImmediatePublisher ?? undefined;
}

/**
 * The ServiceContext every entry point of the app process hands to service verbs: route handlers
 * get it from withApi; server actions build it with this same function after resolving the actor.
 */
export function createServiceContext(actor: Actor, meta: RequestMeta): ServiceContext {
  return { db: getDb(), actor, meta, onCommitted: getImmediatePublisher() };
}
