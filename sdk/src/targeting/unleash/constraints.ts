import { constraintIssues } from "../checks";
import { OPERATORS, type Constraint, type Operator } from "../model";
import type { UnleashConstraint } from "./payload";
import { type NoteSink, pathOf } from "./report";

const KNOWN = new Set<string>(OPERATORS);

/**
 * One Unleash constraint, or undefined when it can never match (an operator this engine does not
 * know: unleash-client fails such a constraint even when inverted). Malformed values are kept
 * and reported; they evaluate as in Unleash.
 */
export function translateConstraint(
  c: UnleashConstraint,
  at: (string | number)[],
  notes: NoteSink,
): Constraint | undefined {
  if (!KNOWN.has(c.operator)) {
    notes.add("skipped", pathOf([...at, "operator"]), `unknown operator '${c.operator}': the constraint never matches`);
    return undefined;
  }
  const out: Constraint = { contextName: c.contextName, operator: c.operator as Operator };
  if (c.values) out.values = c.values.filter((v): v is string => v !== null);
  if (c.value !== undefined && c.value !== null) out.value = c.value;
  if (c.inverted) out.inverted = true;
  if (c.caseInsensitive) out.caseInsensitive = true;
  for (const issue of constraintIssues(out, [])) {
    // A list operator without values compares against an empty list in Unleash too.
    if (issue.message.includes("needs a 'values' list")) continue;
    // A bad CIDR entry is skipped (the others still apply); any other bad value fails the operator.
    const effect = issue.path[0] === "values" ? "this entry is skipped" : "the operator does not match";
    notes.add("malformed", pathOf([...at, ...issue.path]), `${issue.message}; ${effect}, as in Unleash`);
  }
  return out;
}
