/**
 * The evaluation context, shaped like Unleash's so imported rules read the same fields: the
 * well-known fields at the top level, anything else under `properties` (a top-level field of the
 * same name wins, as in Unleash).
 */
export interface EvaluationContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  environment?: string;
  appName?: string;
  /** ISO-8601 string or Date; DATE_* operators compare it (now when absent). */
  currentTime?: string | Date;
  properties?: Record<string, string | number | boolean | null | undefined>;
  [field: string]: unknown;
}

/** A field's value as a string, or undefined when absent (null counts as absent). */
export function contextValue(context: EvaluationContext, field: string): string | undefined {
  let v: unknown = context[field];
  if (v === undefined || v === null) {
    const props = context.properties;
    v = props === undefined || props === null ? undefined : props[field];
  }
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : v instanceof Date ? v.toISOString() : String(v);
}
