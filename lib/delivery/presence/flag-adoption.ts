import type { Namespace } from "etcd3";
import { flagKey } from "../../etcd/keys";
import { cachedPresence } from "./presence-reader";

/**
 * "N of M clients have this change" for one flag, per environment: R is the etcd mod_revision of
 * the flag's document in that environment (the revision of the write that put the current value
 * there), M the reporting clients whose SDK key covers the flag's namespace in that environment,
 * N those at revision R or later. null for an environment where etcd holds no document (an
 * archived flag, or one not published yet).
 *
 * Callers must have checked that the viewer may read the namespace: the figures are about it only.
 */
export interface FlagAdoption {
  revision: number;
  clients: number;
  withChange: number;
}

const DEADLINE_MS = 2_000;

export async function flagAdoption(root: Namespace, namespace: string, key: string, environments: readonly string[]): Promise<Record<string, FlagAdoption | null>> {
  const [view, revisions] = await withDeadline(
    Promise.all([
      cachedPresence(root),
      Promise.all(environments.map(async (environment) => {
        const res = await root.get(flagKey({ environment, namespace, key })).exec();
        const kv = res.kvs[0];
        return kv ? Number(kv.mod_revision) : null;
      })),
    ]),
  );
  const out: Record<string, FlagAdoption | null> = {};
  environments.forEach((environment, i) => {
    const revision = revisions[i] ?? null;
    if (revision === null) {
      out[environment] = null;
      return;
    }
    const c = view.countFor(environment, namespace, revision);
    out[environment] = { revision, clients: c.total, withChange: c.atLeast };
  });
  return out;
}

/** Prefix range reads carry no gRPC deadline (lib/etcd/client.ts); a console page must not hang on one. */
export function withDeadline<T>(p: Promise<T>, ms = DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`etcd did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
