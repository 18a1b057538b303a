import type { Namespace } from "etcd3";
import { publishFenced, type PublishItem, type PublishOutcome } from "../../lib/etcd/fence";
import { flagKey } from "../../lib/etcd/keys";

/** What happened to one row's item: its key's newest item landed or was stale, or it failed. */
export type ItemResult =
  | { status: "applied" | "stale" | "superseded" }
  | { status: "failed"; error: unknown };

/**
 * The relay's variant of `publishMany`: same collapse (per key only the highest version is sent, the
 * rest are superseded by it) and the same fence, but each key settles on its own so one key's error
 * cannot hide another key's success, and the caller can tell a dead etcd from a bad row.
 */
export async function publishSettled(root: Namespace, items: PublishItem[]): Promise<ItemResult[]> {
  const newest = new Map<string, PublishItem>();
  for (const item of items) {
    const k = flagKey(item.address);
    const cur = newest.get(k);
    if (!cur || cur.version < item.version) newest.set(k, item);
  }
  const byKey = new Map<string, { outcome?: PublishOutcome; error?: unknown; failed: boolean }>();
  await Promise.all(
    [...newest.entries()].map(async ([k, item]) => {
      try {
        byKey.set(k, { outcome: await publishFenced(root, item), failed: false });
      } catch (error) {
        byKey.set(k, { error, failed: true });
      }
    }),
  );
  return items.map((item) => {
    const k = flagKey(item.address);
    const r = byKey.get(k)!;
    // An older row of a key shares its newest row's fate: it is only obsolete once the newer one landed.
    if (r.failed) return { status: "failed", error: r.error };
    if (newest.get(k) !== item) return { status: "superseded" };
    return { status: r.outcome! };
  });
}
