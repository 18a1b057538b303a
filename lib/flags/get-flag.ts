import { and, asc, eq, isNull } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { environments, flags, flagValues, namespaces } from "../db/schema";
import { notFound } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { toFlagView } from "./flag-state";
import { FlagRefSchema, type FlagView } from "./schemas";

export async function getFlag({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(FlagRefSchema, input);
  assertCan(ctx.actor, "flag:read", { namespaceKey: data.namespace });
  const [row] = await ctx.db
    .select({ flag: flags })
    .from(flags)
    .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
    .where(and(eq(namespaces.key, data.namespace), eq(flags.key, data.key), isNull(flags.deletedAt)));
  if (!row) throw notFound(`Flag '${data.namespace}/${data.key}'`);
  const values = await ctx.db
    .select({ row: flagValues, env: environments })
    .from(flagValues)
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(eq(flagValues.flagId, row.flag.id))
    .orderBy(asc(environments.id));
  return toFlagView(row.flag, data.namespace, values);
}
