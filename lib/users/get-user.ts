import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "../db/schema";
import { notFound } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import type { UserView } from "./schemas";
import { membershipsByUser, toUserView, userVisibility } from "./user-views";

export const GetUserSchema = z.object({ userId: z.number().int().positive() }).strict();

/** One user, seen exactly as in listUsers (same readers, same membership filter). */
export async function getUser({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<UserView> {
  const data = parseInput(GetUserSchema, input);
  const visible = userVisibility(ctx.actor);
  const [row] = await ctx.db.select().from(users).where(eq(users.id, data.userId));
  if (!row) throw notFound("User");
  const memberships = (await membershipsByUser(ctx.db, [row.id])).get(row.id) ?? [];
  return toUserView(row, memberships.filter(visible));
}
