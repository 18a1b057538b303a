import type { Role } from "../db/schema";

/** A role granted over one namespace (null = every namespace), optionally limited to environments. */
export interface Grant {
  namespaceKey: string | null;
  role: Role;
  /** For editors: the environments they may write to (null = all). */
  environmentKeys: string[] | null;
}

/** Who is acting. Built by the auth layer (session, API token) or by the system itself. */
export interface Actor {
  type: "user" | "api_token" | "system";
  id: string | null;
  name: string;
  isSuperAdmin: boolean;
  grants: Grant[];
  /** For console sessions: when the person last signed in (epoch ms), for changes that need a recent sign-in. */
  authenticatedAtMs?: number;
}

export interface RequestMeta {
  ip?: string | null;
  traceId?: string | null;
}

export const SYSTEM_ACTOR: Actor = {
  type: "system",
  id: null,
  name: "system",
  isSuperAdmin: true,
  grants: [],
};

export function systemActor(name: string): Actor {
  return { ...SYSTEM_ACTOR, name: `system:${name}` };
}
