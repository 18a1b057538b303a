import type { Actor } from "../auth/actor";
import { visibleNamespaceKeys } from "../auth/permissions";
import { withDeadline } from "../delivery/presence/flag-adoption";
import { cachedPresence } from "../delivery/presence/presence-reader";
import { getProcessDelivery } from "../delivery/process-delivery";
import { makeScope } from "../delivery/hub/scope";
import { getEtcd } from "../etcd/client";

/**
 * The realtime panel's "SDK clients" figures, per environment, from every stream-serving process's
 * presence summary in etcd. A client is *current* when it has applied every change this app's
 * watch hub holds for its scope (revision >= the last change there). Comparing with the hub's own
 * revision would say nothing: that revision also moves with keys no SDK ever sees (leader election,
 * presence summaries), while a client's revision only moves with events in its scope.
 *
 * Only namespaces the viewer may see count: a client is listed if its scope covers one of them, and
 * judged current on those alone, so nothing here depends on a namespace hidden from the viewer.
 */
export interface PresenceStats {
  available: boolean;
  /** This app's watch hub revision (null while it starts). */
  revision: number | null;
  /** Processes that published a summary. */
  processes: number;
  environments: { environment: string; clients: number; current: number | null }[];
}

export async function readPresenceStats(actor: Actor): Promise<PresenceStats> {
  const { hub } = getProcessDelivery();
  let view;
  try {
    view = await withDeadline(cachedPresence(getEtcd().root));
  } catch {
    return { available: false, revision: null, processes: 0, environments: [] };
  }
  const ready = hub.ready;
  const environments = view
    .byEnvironment(visibleNamespaceKeys(actor), (env, namespaces) => hub.lastChangeIn(makeScope(env, namespaces)))
    .map((e) => (ready ? e : { ...e, current: null }));
  return { available: true, revision: ready ? hub.currentRevision : null, processes: view.processes, environments };
}
