import type { AuditEventView } from "@/lib/audit/schemas";

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? "nothing" : s.length > 40 ? `${s.slice(0, 37)}…` : s;
};

const valueOf = (side: unknown) => (side && typeof side === "object" && "value" in side ? (side as { value: unknown }).value : undefined);

const field = (side: unknown, name: string): string | undefined => {
  const v = side && typeof side === "object" ? (side as Record<string, unknown>)[name] : undefined;
  return typeof v === "string" ? v : undefined;
};

const rulesIn = (side: unknown): number => {
  const t = side && typeof side === "object" ? (side as { targeting?: { rules?: unknown[] } }).targeting : undefined;
  return Array.isArray(t?.rules) ? t.rules.length : 0;
};

const rulesText = (n: number) => (n === 1 ? "1 rule" : `${n} rules`);

const conditionsIn = (side: unknown): number => {
  const c = side && typeof side === "object" ? (side as { constraints?: unknown[] }).constraints : undefined;
  return Array.isArray(c) ? c.length : 0;
};

const conditionsText = (n: number) => (n === 1 ? "1 condition" : `${n} conditions`);

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
    case "flag_targeting.set":
      return `changed the rules of ${flag} in ${e.environment} (${rulesText(rulesIn(e.before))} before, ${rulesText(rulesIn(e.after))} now)`;
    case "segment.create":
      return `created segment ${e.namespace}/${field(e.after, "key")} with ${conditionsText(conditionsIn(e.after))}`;
    case "segment.update":
      return `changed segment ${e.namespace}/${field(e.after, "key")} (${conditionsText(conditionsIn(e.before))} before, ${conditionsText(conditionsIn(e.after))} now)`;
    case "segment.delete":
      return `deleted segment ${e.namespace}/${field(e.before, "key")}`;
    case "import.unleash":
      return `imported flags from Unleash into ${e.environment}${e.namespace ? ` (namespace ${e.namespace})` : ""}`;
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
