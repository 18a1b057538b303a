/**
 * Constants of the targeting model, free of zod so the evaluation path (SDK bundles) stays small.
 */
export const OPERATORS = [
  "IN",
  "NOT_IN",
  "STR_STARTS_WITH",
  "STR_ENDS_WITH",
  "STR_CONTAINS",
  "NUM_EQ",
  "NUM_GT",
  "NUM_GTE",
  "NUM_LT",
  "NUM_LTE",
  "DATE_AFTER",
  "DATE_BEFORE",
  "SEMVER_EQ",
  "SEMVER_GT",
  "SEMVER_GTE",
  "SEMVER_LT",
  "SEMVER_LTE",
  "REGEX",
  "IN_CIDR",
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators comparing against a list (`values`); the others compare against one `value`. */
export const LIST_OPERATORS: ReadonlySet<Operator> = new Set([
  "IN",
  "NOT_IN",
  "STR_STARTS_WITH",
  "STR_ENDS_WITH",
  "STR_CONTAINS",
  "IN_CIDR",
]);

export const FLAG_TYPES = ["boolean", "string", "number", "json"] as const;
export type FlagType = (typeof FLAG_TYPES)[number];

// Bounds keep one flag's document, its compile time and its memory predictable.
export const LIMITS = {
  keyLength: 200,
  valuesPerConstraint: 5_000,
  valueLength: 1_000,
  regexLength: 1_000,
  constraintsPerRule: 50,
  rulesPerFlag: 500,
  variantsPerFlag: 100,
  segmentsPerRule: 20,
  prerequisitesPerFlag: 20,
} as const;

/**
 * Reserved variant name meaning "no variant" (Unleash's convention): a prerequisite listing it is
 * met by a flag that is on without serving a variant; no flag may define a variant of that name.
 */
export const NO_VARIANT = "disabled";
