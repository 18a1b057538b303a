import { eq } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { namespaces } from "../db/schema";
import { notFound } from "../errors/service-error";
import { keySchema } from "../validation/common";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { toNamespaceView } from "./namespace-verbs";
import { z } from "zod";
import type { NamespaceView } from "./schemas";

const GetNamespaceSchema = z.object({ key: keySchema }).strict();

/**
 * One namespace, for anyone who may read its flags. The permission check comes before the lookup,
 * so a caller without a role cannot learn whether a namespace exists (403 either way).
 */
export async function getNamespace({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<NamespaceView> {
  const data = parseInput(GetNamespaceSchema, input);
  assertCan(ctx.actor, "flag:read", { namespaceKey: data.key });
  const [n] = await ctx.db.select().from(namespaces).where(eq(namespaces.key, data.key));
  if (!n) throw notFound(`Namespace '${data.key}'`);
  return toNamespaceView(n);
}
