import { redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "@/lib/auth/actor";
import { sessionServiceContext } from "@/lib/actions/session-context";
import type { ServiceContext } from "@/lib/core/context";

/** The signed-in user's service context, resolved once per request (layout and page share it). */
export const getConsoleContext = cache(sessionServiceContext);

/** For console pages: the context, or a redirect to the login page (back here afterwards). */
export async function requireConsoleContext(returnTo = "/"): Promise<ServiceContext> {
  const ctx = await getConsoleContext();
  if (!ctx) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return ctx;
}

const RANK = { viewer: 1, reviewer: 2, editor: 3, admin: 4 } as const;

/**
 * What the console shows to this actor. Only for hiding controls: every action is checked again
 * by the service verb on the server.
 */
export function consoleAbilities(actor: Actor) {
  const best = (min: number) => actor.isSuperAdmin || actor.grants.some((g) => RANK[g.role] >= min);
  return {
    superAdmin: actor.isSuperAdmin,
    readAudit: best(RANK.reviewer),
    write: best(RANK.editor),
    adminSomewhere: best(RANK.admin),
  };
}

export type ConsoleAbilities = ReturnType<typeof consoleAbilities>;
