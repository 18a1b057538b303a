import type { z } from "zod";
import { ServiceError, type FieldIssue } from "../errors/service-error";

/**
 * Deepest nesting of objects/arrays accepted in any input. zod validates recursively, so a body
 * like [[[[...]]]] a few thousand levels deep (a few KB of JSON) would otherwise overflow the stack
 * and surface as a 500; flag values never need more than a handful of levels.
 */
export const MAX_INPUT_DEPTH = 64;

export function zodIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join(".") || "(body)", message: i.message }));
}

/** The top-level field holding nesting deeper than `max` ("(body)" for the input itself), or null. */
export function tooDeeplyNested(input: unknown, max = MAX_INPUT_DEPTH): string | null {
  // Iterative depth-first walk: the check itself must not recurse. Depth-first also ends at once on
  // a cyclic structure (it only goes deeper), so no visited set is needed.
  const stack: [unknown, number, string][] = [[input, 0, "(body)"]];
  while (stack.length) {
    const [v, depth, top] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= max) return top;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) stack.push([x, depth + 1, depth === 0 ? k : top]);
  }
  return null;
}

/** Parses service input; failures become a 422 that names each field and reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const deep = tooDeeplyNested(input);
  if (deep) {
    throw new ServiceError("validation_failed", "Invalid input", {
      issues: [{ path: deep, message: `is nested more than ${MAX_INPUT_DEPTH} levels deep` }],
    });
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ServiceError("validation_failed", "Invalid input", { issues: zodIssues(result.error) });
  }
  return result.data;
}
