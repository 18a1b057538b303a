import { sql } from "drizzle-orm";
import type { Namespace } from "etcd3";
import type { Db } from "../db/client";
import { namespaces, sdkLastSeen } from "../db/schema";
import { withDeadline } from "../delivery/presence/flag-adoption";
import { readPresence } from "../delivery/presence/presence-reader";

/**
 * "Last seen" storage (docs/ARCHITECTURE.md, "Last seen"): the SDK clients live right now are
 * already in etcd, in every serving process's presence summary (presence/{processId}, written from
 * the SDK reports). Every `intervalMs` this copies what they say into MySQL, one row per
 * (environment, namespace): the time and the highest revision a client holding that namespace had
 * applied. So a report costs no MySQL write; a flush costs one statement per interval, however many
 * clients report, and the history survives the clients (presence forgets a client 25 s after it
 * went quiet).
 *
 * Rows only move forward (GREATEST), so any number of workers may flush concurrently.
 */
export async function flushLastSeen({ db, root, now = new Date() }: { db: Db; root: Namespace; now?: Date }): Promise<number> {
  const view = await withDeadline(readPresence(root));
  const best = new Map<string, { environmentKey: string; namespaceKey: string; revision: number }>();
  let every: string[] | null = null;
  for (const g of view.groups) {
    const live = g.revisions.filter(([, n]) => n > 0);
    if (!live.length) continue;
    const revision = Math.max(...live.map(([r]) => r));
    // A key for every namespace of the environment ("*") holds each of them.
    const held = g.namespaces ?? (every ??= (await db.select({ key: namespaces.key }).from(namespaces)).map((n) => n.key));
    for (const namespaceKey of held) {
      const k = `${g.environment}\n${namespaceKey}`;
      const had = best.get(k);
      if (!had || had.revision < revision) best.set(k, { environmentKey: g.environment, namespaceKey, revision });
    }
  }
  if (!best.size) return 0;
  await db
    .insert(sdkLastSeen)
    .values([...best.values()].map((r) => ({ ...r, seenAt: now })))
    .onDuplicateKeyUpdate({ set: { revision: sql`GREATEST(\`revision\`, VALUES(\`revision\`))`, seenAt: sql`GREATEST(\`seen_at\`, VALUES(\`seen_at\`))` } });
  return best.size;
}

export interface LastSeenFlusher {
  stop(): Promise<void>;
}

/** Flushes every `intervalMs` (default 30 s); ticks never overlap, and a failure only logs. */
export function startLastSeenFlusher(o: { db: Db; root: Namespace; intervalMs?: number; log?: (level: "warn", msg: string, err: unknown) => void }): LastSeenFlusher {
  let running: Promise<unknown> | null = null;
  let failures = 0;
  const timer = setInterval(() => {
    if (running) return;
    running = flushLastSeen(o)
      .then(() => (failures = 0))
      .catch((err) => {
        if (failures++ % 10 === 0) o.log?.("warn", "could not record when SDK clients were last seen", err);
      })
      .finally(() => (running = null));
  }, o.intervalMs ?? 30_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
