import { and, eq } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { flags, flagValues, namespaces } from "../db/schema";
import { conflict, notFound, ServiceError } from "../errors/service-error";
import { writeOutbox } from "../outbox/write-outbox";
import { assertValueMatchesType, defaultValueFor } from "../values/flag-value";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { lockEnvironmentsShared } from "../environments/lock-environments";
import { bumpAllValues, desiredItem, lockFlag, toFlagView } from "./flag-state";
import { writeFlagAudit } from "./flag-audit";
import { CreateFlagSchema, type FlagView } from "./schemas";

/**
 * Creates a flag with a value row in every environment. Re-creating a key that was deleted revives
 * the old row so its versions keep counting up: SDKs never see a version go backwards for a key.
 */
export async function createFlag({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(CreateFlagSchema, input);
  // A new flag serves its default in every environment, including ones created later.
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, everyEnvironment: true });
  for (const env of Object.keys(data.values ?? {})) {
    assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: env });
  }
  const defaultValue =
    data.defaultValue === undefined ? defaultValueFor(data.type) : assertValueMatchesType(data.type, data.defaultValue, "defaultValue");
  const initial = new Map<string, unknown>();
  for (const [env, v] of Object.entries(data.values ?? {})) initial.set(env, assertValueMatchesType(data.type, v, `values.${env}`));

  return inTransaction(ctx, async (tx, outbox) => {
    // Creates in one namespace serialise on its row: without it, concurrent creates' gap locks on
    // the (namespace, key) index deadlock each other.
    const [ns] = await tx.select().from(namespaces).where(eq(namespaces.key, data.namespace)).for("update");
    if (!ns) throw notFound(`Namespace '${data.namespace}'`);
    // A shared locking read of all environments (next-key locks up to the supremum) makes a
    // concurrent createEnvironment wait for this flag, or this flag wait for it: either way the
    // flag gets a value row in every environment.
    const envs = await lockEnvironmentsShared(tx);
    // A new flag starts serving in every environment, production included, so an editor limited
    // to some environments may not create one.
    for (const e of envs) assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: e.key });
    const unknownEnv = [...initial.keys()].find((k) => !envs.some((e) => e.key === k));
    if (unknownEnv) {
      throw new ServiceError("validation_failed", "Invalid input", { issues: [{ path: `values.${unknownEnv}`, message: "no such environment" }] });
    }
    const at = new Date();
    const fields = {
      type: data.type,
      description: data.description ?? null,
      tags: data.tags ?? [],
      defaultValue,
      archived: false,
      deletedAt: null,
      updatedAt: at,
    };
    const [existing] = await tx.select({ id: flags.id, deletedAt: flags.deletedAt }).from(flags)
      .where(and(eq(flags.namespaceId, ns.id), eq(flags.key, data.key))).for("update");
    let flagId: number;
    let items;
    if (existing && !existing.deletedAt) {
      throw conflict(`Flag '${data.namespace}/${data.key}' already exists`);
    } else if (existing) {
      // Revive: keep the row and continue its version sequences.
      const locked = await lockFlag(tx, data.namespace, data.key, { includeDeleted: true });
      await tx.update(flags).set({ ...fields, version: locked.flag.version + 1, createdAt: at }).where(eq(flags.id, existing.id));
      const missing = envs.filter((e) => !locked.values.some((v) => v.env.id === e.id));
      if (missing.length) {
        await tx.insert(flagValues).values(missing.map((e) => ({ flagId: existing.id, environmentId: e.id, value: null, version: 0 })));
      }
      const relocked = await lockFlag(tx, data.namespace, data.key);
      for (const v of relocked.values) {
        v.row.value = initial.has(v.env.key) ? initial.get(v.env.key) : defaultValue;
        v.row.targeting = null; // a re-created flag starts without the old flag's rules
        await tx.update(flagValues).set({ value: v.row.value, targeting: null }).where(eq(flagValues.id, v.row.id));
      }
      items = await bumpAllValues(tx, relocked, relocked.flag, at);
      flagId = existing.id;
    } else {
      const [res] = await tx.insert(flags).values({ ...fields, namespaceId: ns.id, key: data.key, version: 1, createdAt: at });
      flagId = Number(res.insertId);
      if (envs.length) {
        await tx.insert(flagValues).values(
          envs.map((e) => ({
            flagId,
            environmentId: e.id,
            value: initial.has(e.key) ? initial.get(e.key) : defaultValue,
            version: 1,
            committedAt: at,
            updatedAt: at,
          })),
        );
      }
      const locked = await lockFlag(tx, data.namespace, data.key);
      items = locked.values.map((v) => desiredItem(locked.flag, data.namespace, v.env.key, v.row, at));
    }
    const view = toFlagView(...(await viewArgs(tx, data.namespace, data.key)));
    await writeFlagAudit(tx, ctx, data, { action: "flag.create", flagId, before: null, after: view });
    await writeOutbox(tx, outbox, items, at);
    return view;
  });
}

async function viewArgs(tx: Parameters<typeof lockFlag>[0], ns: string, key: string) {
  const locked = await lockFlag(tx, ns, key);
  return [locked.flag, ns, locked.values] as const;
}
