import { contextValue, type EvaluationContext } from "./context";
import type { Constraint, Operator } from "./model";
import {
  cleanValues,
  compileRegex,
  inRange,
  parseDate,
  unleashNumber,
  parseRange,
  parseSemver,
  parseSemverValue,
  type ParsedRange,
} from "./values";
import semver from "semver";

/**
 * Compiles one constraint into a predicate, with Unleash's semantics: an absent field matches
 * nothing (so NOT_IN matches it); a malformed constraint value makes the operator false, and
 * `inverted` then flips that, exactly as unleash-client does. Predicates never throw.
 */
export type Predicate = (context: EvaluationContext) => boolean;

const NEVER: Predicate = () => false;
const UNKNOWN: Predicate = () => false;

function inList(c: Constraint): Predicate {
  const set = new Set(cleanValues(c.values));
  const field = c.contextName;
  return (ctx) => {
    const v = contextValue(ctx, field);
    return v !== undefined && set.has(v);
  };
}

function strings(c: Constraint): Predicate {
  const ci = c.caseInsensitive === true;
  const values = cleanValues(c.values).map((v) => (ci ? v.toLocaleLowerCase() : v));
  const field = c.contextName;
  const test =
    c.operator === "STR_STARTS_WITH"
      ? (s: string, v: string) => s.startsWith(v)
      : c.operator === "STR_ENDS_WITH"
        ? (s: string, v: string) => s.endsWith(v)
        : (s: string, v: string) => s.includes(v);
  return (ctx) => {
    let s = contextValue(ctx, field);
    if (s === undefined) return false;
    if (ci) s = s.toLocaleLowerCase();
    for (const v of values) if (test(s, v)) return true;
    return false;
  };
}

function numbers(c: Constraint, op: Operator): Predicate {
  const target = unleashNumber(c.value);
  if (Number.isNaN(target)) return NEVER;
  const field = c.contextName;
  return (ctx) => {
    const raw = contextValue(ctx, field);
    if (raw === undefined) return false;
    // Number() as Unleash does: "" is 0, "1e3" is 1000, "abc" is NaN (never matches).
    const n = Number(raw);
    if (Number.isNaN(n)) return false;
    switch (op) {
      case "NUM_EQ":
        return n === target;
      case "NUM_GT":
        return n > target;
      case "NUM_GTE":
        return n >= target;
      case "NUM_LT":
        return n < target;
      default:
        return n <= target;
    }
  };
}

/** Unleash compares `currentTime` (now when absent) whatever the constraint's contextName. */
function dates(c: Constraint, op: Operator): Predicate {
  const target = parseDate(c.value);
  if (target === undefined) return NEVER;
  const after = op === "DATE_AFTER";
  return (ctx) => {
    const raw = ctx.currentTime;
    const now = raw ? new Date(raw as string | Date).getTime() : Date.now();
    if (Number.isNaN(now)) return false;
    return after ? now > target : now < target;
  };
}

function semvers(c: Constraint, op: Operator): Predicate {
  const target = parseSemverValue(c.value);
  if (target === undefined) return NEVER;
  const field = c.contextName;
  return (ctx) => {
    const v = parseSemver(contextValue(ctx, field));
    if (v === undefined) return false;
    const cmp = semver.compare(v, target);
    switch (op) {
      case "SEMVER_EQ":
        return cmp === 0;
      case "SEMVER_GT":
        return cmp > 0;
      case "SEMVER_GTE":
        return cmp >= 0;
      case "SEMVER_LT":
        return cmp < 0;
      default:
        return cmp <= 0;
    }
  };
}

/** RE2 semantics (linear time, no backreferences), unanchored search like Unleash's find(). */
function regex(c: Constraint): Predicate {
  const re = compileRegex(c.value, c.caseInsensitive === true);
  if (re === undefined) return NEVER;
  const field = c.contextName;
  return (ctx) => {
    const v = contextValue(ctx, field);
    return v !== undefined && re.matcher(v).find();
  };
}

/** Malformed ranges are skipped; the others still match (Unleash's mixed-values behaviour). */
function cidr(c: Constraint): Predicate {
  const ranges = cleanValues(c.values)
    .map(parseRange)
    .filter((r): r is ParsedRange => r !== undefined);
  if (ranges.length === 0) return NEVER;
  const field = c.contextName;
  return (ctx) => {
    const raw = contextValue(ctx, field);
    const addr = raw === undefined ? undefined : parseRange(raw);
    if (addr === undefined) return false;
    for (const r of ranges) if (inRange(addr, r)) return true;
    return false;
  };
}

function operator(c: Constraint): Predicate {
  const op = c.operator;
  switch (op) {
    case "IN":
      return inList(c);
    case "NOT_IN": {
      const p = inList(c);
      return (ctx) => !p(ctx);
    }
    case "STR_STARTS_WITH":
    case "STR_ENDS_WITH":
    case "STR_CONTAINS":
      return strings(c);
    case "NUM_EQ":
    case "NUM_GT":
    case "NUM_GTE":
    case "NUM_LT":
    case "NUM_LTE":
      return numbers(c, op);
    case "DATE_AFTER":
    case "DATE_BEFORE":
      return dates(c, op);
    case "SEMVER_EQ":
    case "SEMVER_GT":
    case "SEMVER_GTE":
    case "SEMVER_LT":
    case "SEMVER_LTE":
      return semvers(c, op);
    case "REGEX":
      return regex(c);
    case "IN_CIDR":
      return cidr(c);
    default:
      // An operator this build does not know (a newer server): the constraint fails, uninverted.
      return UNKNOWN;
  }
}

export function compileConstraint(c: Constraint): Predicate {
  const p = operator(c);
  if (c.inverted !== true || p === UNKNOWN) return p;
  return (ctx) => !p(ctx);
}
