import { z } from "zod";
import type { EvaluationContext } from "../../sdk/src/targeting";

/**
 * The OFREP request body (`{ "context": { "targetingKey": ..., ... } }`), bounded so evaluation
 * cost is bounded: at most CONTEXT_MAX_BYTES of body and CONTEXT_MAX_DEPTH levels of nesting.
 */
export const CONTEXT_MAX_BYTES = 8 * 1024;
export const CONTEXT_MAX_DEPTH = 16;

// Values need no schema of their own: they come from JSON.parse, so they are JSON already.
const ContextSchema = z
  .record(z.string().max(256), z.unknown())
  .refine((c) => c.targetingKey === undefined || typeof c.targetingKey === "string", { message: "targetingKey must be a string", path: ["targetingKey"] });

/** One schema for both endpoints' bodies (single and bulk take the same shape). */
export const OfrepRequestSchema = z.object({ context: ContextSchema });
export type OfrepContext = z.infer<typeof ContextSchema>;

export type ParsedRequest =
  | { ok: true; context: OfrepContext; /** The body as sent (hashed into the bulk ETag). */ contextJson: string }
  | { ok: false; status: 400 | 413; errorCode: "PARSE_ERROR" | "INVALID_CONTEXT"; errorDetails: string };

/**
 * The path of the first value nested deeper than `max`, or null. Children are visited last key
 * first, depth first (the order of the iterative walk this replaced, so the path reported for a
 * body with several too-deep branches is the same). The recursion stops at `max`, so it never goes
 * more than max + 1 frames deep however deep the body is; path strings are built only on failure.
 */
function deeperThan(value: unknown, max: number, depth = 0): string[] | null {
  if (value === null || typeof value !== "object") return null;
  if (depth >= max) return [];
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i >= 0; i--) {
    const below = deeperThan((value as Record<string, unknown>)[keys[i]!], max, depth + 1);
    if (below) {
      below.unshift(keys[i]!);
      return below;
    }
  }
  return null;
}

/**
 * The usual context (a plain object of at most a few dozen short keys, `targetingKey` a string or
 * absent) needs no schema walk: this decides, for exactly those, what ContextSchema would, and
 * returns the object as JSON.parse made it. Anything else (an array, a long or `__proto__` key, a
 * non-string targetingKey, a missing context) returns null and goes through the zod schema, which
 * stays the one documented schema and the source of every error message.
 */
const FAST_MAX_KEYS = 64;

function plainContext(raw: unknown): OfrepContext | null {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const context = (raw as { context?: unknown }).context;
  if (context === null || typeof context !== "object" || Array.isArray(context)) return null;
  let n = 0;
  for (const k in context) {
    if (++n > FAST_MAX_KEYS || k.length > 256 || k === "__proto__") return null;
  }
  const tk = (context as { targetingKey?: unknown }).targetingKey;
  return tk === undefined || typeof tk === "string" ? (context as OfrepContext) : null;
}

export function parseOfrepBody(body: Uint8Array): ParsedRequest {
  if (body.byteLength > CONTEXT_MAX_BYTES) return tooLarge();
  return parseOfrepText(bodyText(body));
}

/** The body as text (what JSON.parse reads and the bulk ETag hashes). */
export function bodyText(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

export function tooLarge(): Extract<ParsedRequest, { ok: false }> {
  return { ok: false, status: 413, errorCode: "INVALID_CONTEXT", errorDetails: `context: the request body exceeds ${CONTEXT_MAX_BYTES} bytes` };
}

export function parseOfrepText(text: string): ParsedRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, errorCode: "PARSE_ERROR", errorDetails: "the request body is not JSON" };
  }
  const context = raw !== null && typeof raw === "object" ? (raw as { context?: unknown }).context : undefined;
  const tooDeep = deeperThan(context, CONTEXT_MAX_DEPTH);
  if (tooDeep) return { ok: false, status: 400, errorCode: "INVALID_CONTEXT", errorDetails: `${["context", ...tooDeep].join(".")}: context nests deeper than ${CONTEXT_MAX_DEPTH} levels` };
  // The request's own bytes identify its context for the bulk ETag: no second serialisation.
  const plain = plainContext(raw);
  if (plain) return { ok: true, context: plain, contextJson: text };
  const parsed = OfrepRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, status: 400, errorCode: "INVALID_CONTEXT", errorDetails: `${issue.path.join(".") || "body"}: ${issue.message}` };
  }
  return { ok: true, context: parsed.data.context, contextJson: text };
}

const TOP_LEVEL = new Set(["userId", "sessionId", "remoteAddress", "environment", "appName", "currentTime"]);

/**
 * OpenFeature context -> the engine's (Unleash-shaped) context: `targetingKey` is the user id,
 * the engine's well-known fields stay at the top level, everything else becomes a property
 * (nested values as their JSON text, since constraints compare strings).
 */
export function toEngineContext(ctx: OfrepContext): EvaluationContext {
  const out: EvaluationContext = {};
  const properties: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(ctx)) {
    if (k === "targetingKey") continue;
    const scalar = (v === null || typeof v !== "object" ? v : JSON.stringify(v)) as string | number | boolean | null;
    if (TOP_LEVEL.has(k)) out[k] = scalar === null ? undefined : String(scalar);
    else properties[k] = scalar;
  }
  if (typeof ctx.targetingKey === "string" && out.userId === undefined) out.userId = ctx.targetingKey;
  out.properties = properties;
  return out;
}
