import { asc, count, eq, inArray } from "drizzle-orm";
import { assertCan, assertSuperAdmin, visibleNamespaceKeys } from "../auth/permissions";
import { flags, namespaces } from "../db/schema";
import { conflict, notFound } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { CreateNamespaceSchema, DeleteNamespaceSchema, UpdateNamespaceSchema, type NamespaceView } from "./schemas";
import { isDuplicateKey } from "../db/errors";

type NamespaceRow = typeof namespaces.$inferSelect;

export const toNamespaceView = (n: NamespaceRow): NamespaceView => ({
  id: n.id,
  key: n.key,
  name: n.name,
  description: n.description ?? null,
  createdAt: n.createdAt.toISOString(),
  updatedAt: n.updatedAt.toISOString(),
});

export async function createNamespace({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<NamespaceView> {
  const data = parseInput(CreateNamespaceSchema, input);
  assertSuperAdmin(ctx.actor, "create namespaces");
  return inTransaction(ctx, async (tx) => {
    const at = new Date();
    try {
      await tx.insert(namespaces).values({ key: data.key, name: data.name, description: data.description ?? null, createdAt: at, updatedAt: at });
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict(`Namespace '${data.key}' already exists`);
      throw err;
    }
    const [row] = await tx.select().from(namespaces).where(eq(namespaces.key, data.key));
    const view = toNamespaceView(row!);
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "namespace.create",
      targetType: "namespace",
      targetId: view.id,
      namespaceKey: data.key,
      after: view,
      reason: data.reason,
    });
    return view;
  });
}

export async function updateNamespace({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<NamespaceView> {
  const data = parseInput(UpdateNamespaceSchema, input);
  assertCan(ctx.actor, "namespace:admin", { namespaceKey: data.key });
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.select().from(namespaces).where(eq(namespaces.key, data.key)).for("update");
    if (!row) throw notFound(`Namespace '${data.key}'`);
    const next = {
      ...row,
      name: data.name ?? row.name,
      description: data.description === undefined ? row.description : data.description,
      updatedAt: new Date(),
    };
    await tx.update(namespaces).set({ name: next.name, description: next.description, updatedAt: next.updatedAt }).where(eq(namespaces.id, row.id));
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "namespace.update",
      targetType: "namespace",
      targetId: row.id,
      namespaceKey: data.key,
      before: toNamespaceView(row),
      after: toNamespaceView(next),
      reason: data.reason,
    });
    return toNamespaceView(next);
  });
}

/** Only a namespace that never held a flag can be deleted: flag rows keep version history. */
export async function deleteNamespace({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ deleted: true }> {
  const data = parseInput(DeleteNamespaceSchema, input);
  assertSuperAdmin(ctx.actor, "delete namespaces");
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.select().from(namespaces).where(eq(namespaces.key, data.key)).for("update");
    if (!row) throw notFound(`Namespace '${data.key}'`);
    const [c] = await tx.select({ n: count() }).from(flags).where(eq(flags.namespaceId, row.id));
    if ((c?.n ?? 0) > 0) throw conflict(`Namespace '${data.key}' has flags (including deleted ones) and cannot be deleted`);
    await tx.delete(namespaces).where(eq(namespaces.id, row.id));
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "namespace.delete",
      targetType: "namespace",
      targetId: row.id,
      namespaceKey: data.key,
      before: toNamespaceView(row),
      reason: data.reason,
    });
    return { deleted: true as const };
  });
}

export async function listNamespaces({ ctx }: { ctx: ServiceContext }): Promise<NamespaceView[]> {
  const visible = visibleNamespaceKeys(ctx.actor);
  if (visible && visible.size === 0) return [];
  const q = ctx.db.select().from(namespaces);
  const rows = await (visible ? q.where(inArray(namespaces.key, [...visible])) : q).orderBy(asc(namespaces.key));
  return rows.map(toNamespaceView);
}
