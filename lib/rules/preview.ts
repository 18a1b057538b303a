import { createFlagSet, FlagTargetingSchema, SegmentSchema, type EvaluationContext, type EvaluationResult } from "../../sdk/src/targeting";

/**
 * The console's "Try a context" (issue 14): evaluates one flag's saved targeting in one environment
 * for a context, in the browser, with the engine module the SDK and the server use
 * (sdk/src/targeting), so what the preview shows is what an SDK serves. Pure: no I/O.
 *
 * Prerequisites: `others` holds the saved targeting of the flags this one depends on in the same
 * environment (lib/rules/targeting-tab.ts reads them), so an unmet prerequisite shows DISABLED as
 * an SDK serves it; a prerequisite not among them evaluates as missing (PREREQUISITE_MISSING).
 */
export interface PreviewFlag {
  key: string;
  type: string;
  value: unknown;
  targeting: Record<string, unknown>;
}
export interface PreviewSegment {
  key: string;
  constraints: unknown[];
}

const parseFlag = (f: PreviewFlag) => FlagTargetingSchema.safeParse({ ...f.targeting, key: f.key, type: f.type, value: f.value });

export function previewEvaluate(flag: PreviewFlag, segments: readonly PreviewSegment[], context: EvaluationContext, others: readonly PreviewFlag[] = []): EvaluationResult {
  const parsed = parseFlag(flag);
  if (!parsed.success) return { value: flag.value as EvaluationResult["value"], reason: "ERROR", errorCode: "GENERAL", errorMessage: "the saved rules could not be read" };
  const segs = segments.flatMap((s) => {
    const r = SegmentSchema.safeParse({ key: s.key, constraints: s.constraints });
    return r.success ? [r.data] : [];
  });
  // An unreadable prerequisite is left out: it then evaluates as missing, which disables this flag.
  const deps = others.flatMap((o) => {
    const r = o.key === flag.key ? undefined : parseFlag(o);
    return r?.success ? [r.data] : [];
  });
  return createFlagSet([parsed.data, ...deps], segs).evaluate(flag.key, context)!;
}

/** Reads the pasted context: a JSON object, or a message saying what is wrong with it. */
export function parseContext(text: string): { ok: true; context: EvaluationContext } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { ok: false, error: "The context must be a JSON object, e.g. {\"userId\": \"u1\", \"properties\": {\"plan\": \"pro\"}}" };
  return { ok: true, context: v as EvaluationContext };
}
