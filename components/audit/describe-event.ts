import type { AuditEventView } from "@/lib/services/audit/schemas";

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? "nothing" : s.length > 40 ? `${s.slice(0, 37)}…` : s;
};

const valueOf = (side: unknown) => (side && typeof side === "object" && "value" in side ? (side as { value: unknown }).value : undefined);

const field = (side: unknown, name: string): string | undefined => {
  const v = side && typeof side === "object" ? (side as Record<string, unknown>)[name] : undefined;
  return typeof v === "string" ? v : undefined;
};

/** One line in words for an audit event ("set checkout/new-flow in production to true"). */
export function describeEvent(e: AuditEventView): string {
  const flag = e.flag ? `${e.namespace}/${e.flag}` : null;
  switch (e.action) {
    case "flag_value.set":
      return `set ${flag} in ${e.environment} from ${short(valueOf(e.before))} to ${short(valueOf(e.after))}`;
    case "flag.create":
      return `created flag ${flag}`;
    case "flag.update":
      return `changed the settings of ${flag}`;
    case "flag.archive":
      return `archived ${flag}`;
    case "flag.unarchive":
      return `restored ${flag}`;
    case "flag.delete":
      return `deleted ${flag}`;
    case "namespace.create":
      return `created namespace ${e.namespace}`;
    case "namespace.update":
      return `changed namespace ${e.namespace}`;
    case "namespace.delete":
      return `deleted namespace ${e.namespace}`;
    case "environment.create":
      return `created environment ${e.environment}`;
    case "user.create":
      return `added user ${field(e.after, "email")}`;
    case "user.update":
      return `changed user ${field(e.after, "email")}`;
    case "role.grant":
      return `granted ${field(e.after, "role")} in ${e.namespace ?? "every namespace"} to ${field(e.after, "user")}`;
    case "role.revoke":
      return `removed the ${field(e.before, "role")} role in ${e.namespace ?? "every namespace"} from ${field(e.before, "user")}`;
    case "api_token.create":
      return `created API token ${field(e.after, "name")}`;
    case "api_token.revoke":
      return `revoked API token ${field(e.after, "name") ?? field(e.before, "name")}`;
    default: {
      const target = [e.namespace, e.environment, e.flag].filter(Boolean).join(" / ");
      return `${e.action.replace(/[._]/g, " ")}${target ? ` (${target})` : ""}`;
    }
  }
}
