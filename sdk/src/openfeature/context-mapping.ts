import type { EvaluationContext as OFContext } from "@openfeature/core";
import type { EvaluationContext } from "../local-eval/engine-port";

/** The context fields the engine reads at the top level (docs/TARGETING.md "Context"). */
const TOP_LEVEL = ["sessionId", "remoteAddress", "environment", "appName"] as const;

type Property = string | number | boolean;

function scalar(v: unknown): Property | undefined {
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return undefined;
}

/**
 * An OpenFeature evaluation context as the engine reads it (Unleash's shape):
 * - `userId` is `userId` when set, else `targetingKey`;
 * - `sessionId`, `remoteAddress`, `environment`, `appName`, `currentTime` stay at the top level;
 * - every other attribute goes under `properties`; entries of a `properties` object are merged in
 *   (so an Unleash-shaped context passes through unchanged). Constraints compare strings, so only
 *   strings, numbers, booleans and Dates (as ISO strings) are kept; nested objects and arrays
 *   cannot be compared by any operator and are left out.
 * Returns undefined for an empty context (the client then evaluates with none).
 */
export function toEngineContext(ctx: OFContext | undefined): EvaluationContext | undefined {
  if (!ctx) return undefined;
  const out: EvaluationContext = {};
  const properties: Record<string, Property> = {};
  let hasProperties = false;
  let any = false;
  const userId = scalar(ctx.userId) ?? scalar(ctx.targetingKey);
  if (userId !== undefined) ((out.userId = String(userId)), (any = true));
  for (const field of TOP_LEVEL) {
    const v = scalar(ctx[field]);
    if (v !== undefined) ((out[field] = String(v)), (any = true));
  }
  const time = ctx.currentTime;
  if (time instanceof Date || typeof time === "string") ((out.currentTime = time), (any = true));
  const nested = ctx.properties;
  if (nested && typeof nested === "object" && !Array.isArray(nested) && !(nested instanceof Date)) {
    for (const [k, raw] of Object.entries(nested)) {
      const v = scalar(raw);
      if (v !== undefined) ((properties[k] = v), (hasProperties = true));
    }
  }
  for (const [k, raw] of Object.entries(ctx)) {
    if (k === "targetingKey" || k === "userId" || k === "currentTime" || k === "properties" || (TOP_LEVEL as readonly string[]).includes(k)) continue;
    const v = scalar(raw);
    if (v !== undefined) ((properties[k] = v), (hasProperties = true));
  }
  if (hasProperties) ((out.properties = properties), (any = true));
  return any ? out : undefined;
}
