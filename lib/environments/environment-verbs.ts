import { liveSegmentItems } from "../segments/segment-state";
import { asc, eq, isNull } from "drizzle-orm";
import { assertSuperAdmin } from "../auth/permissions";
import { environments, flags, flagValues, namespaces } from "../db/schema";
import { isDuplicateKey } from "../db/errors";
import { conflict } from "../errors/service-error";
import { writeOutbox } from "../outbox/write-outbox";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { desiredItem } from "../flags/flag-state";
import { inTransaction } from "../core/transaction";
import { CreateEnvironmentSchema, type EnvironmentView } from "./schemas";

type EnvironmentRow = typeof environments.$inferSelect;

const toView = (e: EnvironmentRow): EnvironmentView => ({
  id: e.id,
  key: e.key,
  name: e.name,
  description: e.description ?? null,
  createdAt: e.createdAt.toISOString(),
});

/**
 * Creates an environment and gives every existing flag a value there (its default), published like
 * any other change. Environments are never deleted: their value versions are history SDKs rely on.
 */
export async function createEnvironment({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<EnvironmentView> {
  const data = parseInput(CreateEnvironmentSchema, input);
  assertSuperAdmin(ctx.actor, "create environments");
  return inTransaction(ctx, async (tx, outbox) => {
    const at = new Date();
    try {
      await tx.insert(environments).values({ key: data.key, name: data.name, description: data.description ?? null, createdAt: at, updatedAt: at });
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict(`Environment '${data.key}' already exists`);
      throw err;
    }
    const [env] = await tx.select().from(environments).where(eq(environments.key, data.key));
    // Locking read: sees every committed flag, including one committed after this transaction began.
    const live = await tx
      .select({ flag: flags, namespaceKey: namespaces.key })
      .from(flags)
      .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
      .where(isNull(flags.deletedAt))
      .orderBy(asc(flags.id))
      .for("update");
    const CHUNK = 1000;
    for (let i = 0; i < live.length; i += CHUNK) {
      const chunk = live.slice(i, i + CHUNK);
      await tx.insert(flagValues).values(
        chunk.map(({ flag }) => ({ flagId: flag.id, environmentId: env!.id, value: flag.defaultValue ?? null, version: 1, committedAt: at, updatedAt: at })),
      );
    }
    // Segments first (an SDK evaluating a rule needs its segment), then the flags.
    const items = [
      ...(await liveSegmentItems(tx, data.key, at)),
      ...live.map(({ flag, namespaceKey }) => desiredItem(flag, namespaceKey, data.key, { value: flag.defaultValue ?? null, version: 1 }, at)),
    ];
    const view = toView(env!);
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "environment.create",
      targetType: "environment",
      targetId: view.id,
      environmentKey: data.key,
      after: view,
      reason: data.reason,
    });
    await writeOutbox(tx, outbox, items, at);
    return view;
  });
}

/** Environment names are not sensitive: every signed-in actor may list them. */
export async function listEnvironments({ ctx }: { ctx: ServiceContext }): Promise<EnvironmentView[]> {
  const rows = await ctx.db.select().from(environments).orderBy(asc(environments.id));
  return rows.map(toView);
}
