import { and, asc, eq, gt, inArray, isNull, like, or, sql, type SQL } from "drizzle-orm";
import { visibleNamespaceKeys } from "../auth/permissions";
import { flags, namespaces } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { toFlagViews } from "./flag-state";
import { ListFlagsSchema, type FlagView } from "./schemas";

type ListFlagsInput = ReturnType<typeof ListFlagsSchema.parse>;

function encodeCursor(ns: string, key: string): string {
  return Buffer.from(JSON.stringify([ns, key])).toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === "string")) return v as [string, string];
  } catch {
    // fall through
  }
  throw new ServiceError("validation_failed", "Invalid input", { issues: [{ path: "cursor", message: "is not a cursor from a previous page" }] });
}

/**
 * The WHERE conditions of a flag list read for this actor and these filters (shared with the
 * console's sorted, paged list, lib/console/flag-list-page.ts); null when the actor sees no namespace.
 */
export function flagListConditions(actor: ServiceContext["actor"], data: Pick<ListFlagsInput, "namespace" | "type" | "archived" | "tag" | "search">): (SQL | undefined)[] | null {
  const visible = visibleNamespaceKeys(actor);
  const where: (SQL | undefined)[] = [isNull(flags.deletedAt)];
  if (visible) {
    if (visible.size === 0) return null;
    where.push(inArray(namespaces.key, [...visible]));
  }
  if (data.namespace) where.push(eq(namespaces.key, data.namespace));
  if (data.type) where.push(eq(flags.type, data.type));
  if (data.archived !== undefined) where.push(eq(flags.archived, data.archived));
  if (data.tag) where.push(sql`${flags.tags} LIKE ${`%${JSON.stringify(data.tag)}%`}`);
  if (data.search) {
    const pattern = `%${data.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(like(flags.key, pattern), like(flags.description, pattern)));
  }
  return where;
}

/**
 * Lists flags the actor may read, ordered by (namespace, key) with keyset pagination, so page N
 * costs the same as page 1 with 10,000 flags. Namespaces without a role are filtered out entirely.
 */
export async function listFlags({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ flags: FlagView[]; nextCursor: string | null }> {
  const data = parseInput(ListFlagsSchema, input);
  const where = flagListConditions(ctx.actor, data);
  if (!where) return { flags: [], nextCursor: null };
  if (data.cursor) {
    const [ns, key] = decodeCursor(data.cursor);
    where.push(or(gt(namespaces.key, ns), and(eq(namespaces.key, ns), gt(flags.key, key))));
  }
  const rows = await ctx.db
    .select({ flag: flags, namespaceKey: namespaces.key })
    .from(flags)
    .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
    .where(and(...where))
    .orderBy(asc(namespaces.key), asc(flags.key))
    .limit(data.limit + 1);
  const page = rows.slice(0, data.limit);
  const last = page[page.length - 1];
  return {
    flags: await toFlagViews(ctx.db, page),
    nextCursor: rows.length > data.limit && last ? encodeCursor(last.namespaceKey, last.flag.key) : null,
  };
}
