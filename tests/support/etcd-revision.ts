import type { Namespace } from "etcd3";

/**
 * Writes a scratch key until etcd's revision reaches `atLeast`. Presence readers count only
 * revisions etcd has reached (a report above that is implausible), so tests that record made-up
 * revisions first make sure the store is past them.
 */
export async function raiseEtcdRevision(root: Namespace, atLeast: number): Promise<void> {
  for (;;) {
    const res = await root.put("test/revision-filler").value("x").exec();
    if (Number(res.header.revision) >= atLeast) return;
  }
}
