import { and, asc, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { flags, namespaces } from "../db/schema";
import { getEtcd } from "../etcd/client";
import type { LastSeenByFlag } from "../last-seen/last-seen-view";
import { readLastSeen } from "../last-seen/read-last-seen";
import { queryInt } from "../http/query";
import type { ServiceContext } from "../core/context";
import { toFlagViews } from "../flags/flag-state";
import { flagIdsBySighting } from "./flag-seen-order";
import { flagListConditions } from "../flags/list-flags";
import { ListFlagsSchema, type FlagView } from "../flags/schemas";
import { parseInput } from "../validation/parse";

/**
 * The console's flag list, one page at a time, sorted and counted over ALL matching flags on the
 * server (not over the rows a browser happened to load). The page's address carries the same
 * parameters (`sort`, `dir`, `page`, `size` and the filters), so a list is shareable and the server
 * component renders exactly the page the address names.
 *
 * Offset paging: a console page is at most 100 rows and the total is counted anyway, so OFFSET over
 * the (namespace, key) index stays cheap at 10,000 flags; the admin API keeps its keyset cursor.
 * "seen" (when an SDK last held the flag) is no column: flag-seen-order.ts orders every match and
 * the page is a slice of that order.
 */
export const FLAG_SORTS = ["flag", "type", "changed", "seen"] as const;
export type FlagSort = (typeof FLAG_SORTS)[number];
export const FLAG_PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_FLAG_PAGE_SIZE = 25;

const base = ListFlagsSchema.shape;

export const FlagListPageQuerySchema = z
  .object({
    search: base.search,
    namespace: base.namespace,
    type: base.type,
    tag: base.tag,
    /** Absent: active flags only (the list's default); "all": active and archived. */
    archived: z.enum(["true", "false", "all"]).optional(),
    /** Absent: by namespace then key (the same order as "flag", shown as unsorted). */
    sort: z.enum(FLAG_SORTS).optional(),
    dir: z.enum(["asc", "desc"]).optional(),
    page: queryInt(1, 1_000_000).optional(),
    size: z.coerce
      .number({ error: "must be a number" })
      .refine((n) => (FLAG_PAGE_SIZES as readonly number[]).includes(n), { message: `must be one of ${FLAG_PAGE_SIZES.join(", ")}` })
      .optional(),
  })
  .strict();

export type FlagListPageQuery = z.input<typeof FlagListPageQuerySchema>;

export interface FlagListPage {
  flags: FlagView[];
  /** Every flag matching the filters (the list header's count), not just this page's. */
  total: number;
  /** 1-based; clamped to the last page when the address asked for one past it. */
  page: number;
  size: number;
  pages: number;
  sort: FlagSort | null;
  dir: "asc" | "desc";
  /** When an SDK last held each listed flag, per environment (read-last-seen.ts); null: etcd did not answer. */
  lastSeen?: LastSeenByFlag | null;
}

function orderBy(sort: FlagSort | null, dir: "asc" | "desc"): SQL[] {
  const d = dir === "desc" ? desc : asc;
  // Namespace and key always end the order, so equal types or times still page deterministically.
  const tail = [d(namespaces.key), d(flags.key)];
  // type is an ENUM, which MySQL orders by its declaration; people read the names alphabetically.
  if (sort === "type") return [d(sql`CAST(${flags.type} AS CHAR)`), ...tail];
  if (sort === "changed") return [d(flags.updatedAt), ...tail];
  return tail;
}

export async function listFlagPage({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagListPage> {
  const q = parseInput(FlagListPageQuerySchema, input);
  const size = q.size ?? DEFAULT_FLAG_PAGE_SIZE;
  const sort = q.sort ?? null;
  const dir = q.dir ?? "asc";
  const archived = q.archived === "all" ? undefined : q.archived === "true";
  const where = flagListConditions(ctx.actor, { search: q.search, namespace: q.namespace, type: q.type, tag: q.tag, archived });
  if (!where) return { flags: [], total: 0, page: 1, size, pages: 1, sort, dir };
  const cond = and(...where);
  const rowsAt = (page: number) =>
    ctx.db
      .select({ flag: flags, namespaceKey: namespaces.key })
      .from(flags)
      .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
      .where(cond)
      .orderBy(...orderBy(sort, dir))
      .limit(size)
      .offset((page - 1) * size);
  let page = q.page ?? 1;
  let total: number;
  let rows: Awaited<ReturnType<typeof rowsAt>>;
  let lastSeen: LastSeenByFlag | null | undefined;
  if (sort === "seen") {
    const order = await flagIdsBySighting(ctx, cond, dir);
    total = order.ids.length;
    page = Math.min(page, Math.max(1, Math.ceil(total / size)));
    const ids = order.ids.slice((page - 1) * size, page * size);
    const byId = new Map(
      (ids.length
        ? await ctx.db.select({ flag: flags, namespaceKey: namespaces.key }).from(flags).innerJoin(namespaces, eq(namespaces.id, flags.namespaceId)).where(inArray(flags.id, ids))
        : []
      ).map((r) => [r.flag.id, r]),
    );
    // A flag deleted between the two reads is left out of this page.
    rows = ids.flatMap((id) => byId.get(id) ?? []);
    lastSeen = order.lastSeen && Object.fromEntries(rows.map((r) => [`${r.namespaceKey}/${r.flag.key}`, order.lastSeen![`${r.namespaceKey}/${r.flag.key}`] ?? {}]));
  } else {
    // Count and page in parallel: the usual request names an existing page.
    const [[counted], first] = await Promise.all([
      ctx.db.select({ n: count() }).from(flags).innerJoin(namespaces, eq(namespaces.id, flags.namespaceId)).where(cond),
      rowsAt(page),
    ]);
    total = Number(counted?.n ?? 0);
    rows = first;
    if (page > Math.max(1, Math.ceil(total / size))) {
      page = Math.max(1, Math.ceil(total / size));
      rows = await rowsAt(page);
    }
  }
  const pages = Math.max(1, Math.ceil(total / size));
  return {
    flags: await toFlagViews(ctx.db, rows),
    total,
    page,
    size,
    pages,
    sort,
    dir,
    // Sorted by sighting: the figures the order came from (not read twice).
    ...(lastSeen !== undefined && { lastSeen }),
  };
}

/** A page of the list with its "last seen" figures (the console's list endpoint and page). */
export async function listFlagPageWithLastSeen({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagListPage> {
  const page = await listFlagPage({ ctx, input });
  if (page.lastSeen !== undefined) return page;
  const envs = [...new Set(page.flags.flatMap((f) => Object.keys(f.values)))];
  const lastSeen = await readLastSeen(ctx.db, getEtcd().root, page.flags, envs).catch(() => null);
  return { ...page, lastSeen };
}
