import type { Namespace } from "etcd3";
import { SYSTEM_ACTOR } from "../../../lib/auth/actor";
import type { Db } from "../../../lib/db/client";
import { publishFenced } from "../../../lib/etcd/fence";
import { flagKey } from "../../../lib/etcd/keys";
import type { FlagDocument } from "../../../lib/flags/document";
import { createEnvironment } from "../../../lib/environments/environment-verbs";
import { createNamespace } from "../../../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../../../lib/sdk-keys/create-sdk-key";

const ctx = (db: Db) => ({ db, actor: SYSTEM_ACTOR });

/** Creates environments and namespaces through the service verbs. */
export async function seedScopes(db: Db, opts: { environments: string[]; namespaces: string[] }): Promise<void> {
  for (const key of opts.environments) await createEnvironment({ ctx: ctx(db), input: { key, name: key } });
  for (const key of opts.namespaces) await createNamespace({ ctx: ctx(db), input: { key, name: key } });
}

export async function newSdkKey(db: Db, environment: string, namespaces: string[] | null): Promise<{ key: string; id: number }> {
  const created = await createSdkKey({ ctx: ctx(db), input: { name: `test ${environment}`, environment, namespaces } });
  return { key: created.key, id: created.sdkKey.id };
}

export interface FlagRef {
  environment: string;
  namespace: string;
  key: string;
}

/** Publishes a flag document with the fence, exactly as the relay would. */
export async function putFlag(root: Namespace, ref: FlagRef, version: number, value: unknown = version % 2 === 0, type: FlagDocument["type"] = "boolean") {
  const document: FlagDocument = { namespace: ref.namespace, key: ref.key, type, value, version, updatedAt: new Date().toISOString() };
  const outcome = await publishFenced(root, { op: "put", address: ref, version, document });
  if (outcome !== "applied") throw new Error(`put ${ref.key} v${version} was ${outcome}`);
  return document;
}

/** Deletes a flag the way the fence does: document removed and tombstone written in one txn. */
export async function deleteFlag(root: Namespace, ref: FlagRef, version: number) {
  const tombstone = { namespace: ref.namespace, key: ref.key, version, deletedAt: new Date().toISOString() };
  const outcome = await publishFenced(root, { op: "delete", address: ref, version, tombstone });
  if (outcome !== "applied") throw new Error(`delete ${ref.key} v${version} was ${outcome}`);
}

/** The revision at which a flag's document was last written (its mod_revision). */
export async function flagRevision(root: Namespace, ref: FlagRef): Promise<number> {
  const res = await root.get(flagKey(ref)).exec();
  const kv = res.kvs[0];
  if (!kv) throw new Error(`flag ${ref.key} is not in etcd`);
  return Number(kv.mod_revision);
}

/**
 * etcd's cluster-wide revision. Other test files write to the same etcd under their own prefixes,
 * so a hub watching this prefix may never reach it: wait on flagRevision() instead.
 */
export async function etcdRevision(root: Namespace): Promise<number> {
  return Number((await root.get("flags/").exec()).header.revision);
}
