import { cookies, headers } from "next/headers";
import { actorFromCookies } from "../auth/session";
import { getDb } from "../db/client";
import { clientIpOf, traceIdOf } from "../http/request-meta";
import { createServiceContext } from "../http/service-context";
import type { ServiceContext } from "../core/context";

/**
 * The ServiceContext of the signed-in console user for server actions and server components, or null
 * without a valid session. This file (with the "use server" action modules next to it) is where lib/
 * touches next/*: server actions are a Next.js entry point, nothing outside the app imports them.
 */
export async function sessionServiceContext(): Promise<ServiceContext | null> {
  const jar = await cookies();
  const actor = await actorFromCookies(getDb(), new Map(jar.getAll().map((c) => [c.name, c.value])));
  if (!actor) return null;
  const h = await headers();
  return createServiceContext(actor, { ip: clientIpOf(h), traceId: traceIdOf(h) });
}
