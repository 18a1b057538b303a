import { LIST_OPERATORS, type Operator } from "../../sdk/src/targeting";

/**
 * What the console's rule editor needs from the targeting model (issue 14), re-exported here because
 * components/ take domain code only from lib/. Operators are offered by the attribute's type.
 */
export type { Constraint, Rule, Serve, Split, Variant, Gate, Operator } from "../../sdk/src/targeting";

export const ATTRIBUTE_KINDS = {
  string: ["IN", "NOT_IN", "STR_STARTS_WITH", "STR_ENDS_WITH", "STR_CONTAINS", "REGEX"],
  number: ["NUM_EQ", "NUM_GT", "NUM_GTE", "NUM_LT", "NUM_LTE"],
  date: ["DATE_AFTER", "DATE_BEFORE"],
  semver: ["SEMVER_EQ", "SEMVER_GT", "SEMVER_GTE", "SEMVER_LT", "SEMVER_LTE"],
  ip: ["IN_CIDR"],
} as const satisfies Record<string, readonly Operator[]>;
export type AttributeKind = keyof typeof ATTRIBUTE_KINDS;

export const OPERATOR_LABELS: Record<Operator, string> = {
  IN: "is one of",
  NOT_IN: "is not one of",
  STR_STARTS_WITH: "starts with",
  STR_ENDS_WITH: "ends with",
  STR_CONTAINS: "contains",
  REGEX: "matches regex",
  NUM_EQ: "=",
  NUM_GT: ">",
  NUM_GTE: "≥",
  NUM_LT: "<",
  NUM_LTE: "≤",
  DATE_AFTER: "is after",
  DATE_BEFORE: "is before",
  SEMVER_EQ: "version =",
  SEMVER_GT: "version >",
  SEMVER_GTE: "version ≥",
  SEMVER_LT: "version <",
  SEMVER_LTE: "version ≤",
  IN_CIDR: "is in network (CIDR)",
};

export function kindOf(op: Operator): AttributeKind {
  for (const [k, ops] of Object.entries(ATTRIBUTE_KINDS)) if ((ops as readonly string[]).includes(op)) return k as AttributeKind;
  return "string";
}

/** List operators compare against `values` (chips); the others against one `value`. */
export const takesList = (op: Operator) => LIST_OPERATORS.has(op);
/** Case-insensitive applies to the string operators. */
export const takesCase = (op: Operator) => kindOf(op) === "string" && op !== "REGEX";

/** Well-known context fields offered first; any other name is read from `properties`. */
export const CONTEXT_FIELDS = ["userId", "sessionId", "remoteAddress", "environment", "appName", "currentTime"] as const;

/** Sum of a split's weights and whether the console may save it (issue 14: must be 100 %). */
export function splitTotal(weights: readonly number[]): { total: number; ok: boolean } {
  const total = weights.reduce((a, b) => a + b, 0);
  return { total, ok: total === 100 };
}

/**
 * A prerequisite as the editor shows it: one of the three conditions the model can express
 * (sdk/src/targeting/model.ts PrerequisiteSchema): the flag is on, is off, or is on serving one of
 * the listed variants. `enabled: false` with variants means "off" (the engine ignores the variants
 * then), so the editor never offers that combination.
 */
export type PrerequisiteCondition = "on" | "off" | "variants";
export interface PrerequisiteDraft {
  flag: string;
  condition: PrerequisiteCondition;
  variants: string[];
}
/** The shape the admin API stores (defaults spelled out, as the strict schema returns them). */
export interface StoredPrerequisite {
  flag: string;
  enabled: boolean;
  variants?: string[];
}

export const PREREQUISITE_CONDITIONS: Record<PrerequisiteCondition, string> = {
  on: "is on",
  off: "is off",
  variants: "serves one of the variants",
};

/** Saved prerequisites (as read from the targeting view, so `unknown`) -> editor rows. */
export function prerequisiteDrafts(saved: unknown): PrerequisiteDraft[] {
  if (!Array.isArray(saved)) return [];
  return saved.flatMap((p: { flag?: unknown; enabled?: unknown; variants?: unknown }) => {
    if (typeof p?.flag !== "string") return [];
    const variants = Array.isArray(p.variants) ? p.variants.filter((v): v is string => typeof v === "string") : [];
    const condition: PrerequisiteCondition = p.enabled === false ? "off" : variants.length ? "variants" : "on";
    return [{ flag: p.flag, condition, variants: condition === "variants" ? variants : [] }];
  });
}

/** Editor rows -> the `prerequisites` of a save; the inverse of `prerequisiteDrafts` on saved data. */
export function toPrerequisites(drafts: readonly PrerequisiteDraft[]): StoredPrerequisite[] {
  return drafts.map((d) =>
    d.condition === "off" ? { flag: d.flag, enabled: false } : d.condition === "variants" ? { flag: d.flag, enabled: true, variants: [...d.variants] } : { flag: d.flag, enabled: true },
  );
}

/** Rows the console holds back from saving: no flag picked, or "serves one of" with no variant. */
export function incompletePrerequisites(drafts: readonly PrerequisiteDraft[]): number[] {
  return drafts.flatMap((d, i) => (d.flag === "" || (d.condition === "variants" && d.variants.length === 0) ? [i + 1] : []));
}
