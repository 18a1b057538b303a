import { compileFlag, compileSegments, evaluate, parseLenient, SegmentSchema, type CompiledFlag, type EvaluationContext, type EvaluationResult, type Segment } from "../../sdk/src/targeting";
import type { FlagDocument, SegmentDocument } from "../flags/document";

/**
 * Flag document -> OFREP evaluation, through the targeting engine the SDK uses (sdk/src/targeting).
 * Documents today carry only the environment's value, so they compile to a flag without rules
 * (reason STATIC). A document that carries targeting (`enabled`, `offValue`, `variants`, `rules`,
 * `prerequisites`, as docs/TARGETING.md describes) goes through the very same path.
 */
export type TargetedDocument = FlagDocument & {
  targeting?: { enabled?: boolean; offValue?: unknown; variants?: unknown[]; rules?: unknown[]; prerequisites?: unknown[] };
};

export type OfrepSuccess = {
  key: string;
  value: unknown;
  reason: "STATIC" | "TARGETING_MATCH" | "SPLIT" | "DISABLED" | "UNKNOWN";
  variant?: string;
  metadata: Record<string, string | number | boolean>;
};
export type OfrepFailure = { key: string; errorCode: "TARGETING_KEY_MISSING" | "GENERAL"; errorDetails: string };
export type OfrepEvaluation = OfrepSuccess | OfrepFailure;

/** The namespace's segment documents as the hub holds them (issue 14); undefined = unknown segment. */
export type SegmentSource = (segmentKey: string) => SegmentDocument | undefined;

/**
 * Compiled once per document object (the hub replaces the object on every change) and per set of
 * segment documents its rules name: a segment change replaces that segment's object, which makes
 * the next evaluation recompile the flags using it. An unknown or malformed segment never matches.
 */
const compiled = new WeakMap<FlagDocument, { flag: CompiledFlag | Error; refs: string[]; segments: (SegmentDocument | undefined)[] }>();
const parsedSegments = new WeakMap<SegmentDocument, Segment | null>();

function segmentOf(doc: SegmentDocument): Segment | null {
  let s = parsedSegments.get(doc);
  if (s === undefined) {
    const r = SegmentSchema.safeParse({ key: doc.key, constraints: doc.constraints });
    s = r.success ? r.data : null;
    parsedSegments.set(doc, s);
  }
  return s;
}

function compiledOf(doc: TargetedDocument, source: SegmentSource = () => undefined): CompiledFlag | Error {
  const c = compiled.get(doc);
  // A document never changes (the hub replaces it), so the segment keys it names are its own.
  if (c && c.refs.length === 0) return c.flag;
  const refs = c ? c.refs : segmentRefs(doc);
  const current = refs.map(source);
  if (c && c.segments.length === current.length && c.segments.every((s, i) => s === current[i])) return c.flag;
  const parsed = parseLenient({ key: doc.key, type: doc.type, value: doc.value, ...doc.targeting });
  const segments = current.flatMap((d) => (d ? [segmentOf(d)].filter((x): x is Segment => x !== null) : []));
  const flag = parsed.ok ? compileFlag(parsed.flag, compileSegments(segments)) : new Error(`flag '${doc.namespace}/${doc.key}' has a malformed targeting document`);
  compiled.set(doc, { flag, refs, segments: current });
  return flag;
}

/** The segment keys a document's rules name, in a stable order. */
function segmentRefs(doc: TargetedDocument): string[] {
  const keys = new Set<string>();
  for (const r of (doc.targeting?.rules ?? []) as { segments?: unknown }[]) {
    if (Array.isArray(r?.segments)) for (const k of r.segments) if (typeof k === "string") keys.add(k);
  }
  return [...keys].sort();
}

/** True when the document evaluates the same for every context (off, or no rules and no prerequisites). */
export function isContextFree(doc: TargetedDocument): boolean {
  const flag = compiledOf(doc);
  return !(flag instanceof Error) && flag.constant !== undefined;
}

/** Needs a targeting key when a rule may bucket by it (gates and splits stick to userId by default). */
function needsTargetingKey(flag: CompiledFlag): boolean {
  return flag.constant === undefined && flag.rules.length > 0;
}

/**
 * Evaluates one flag for one context. `key` is the key as the caller named it; `lookup` finds the
 * other flags of the namespace for prerequisites.
 */
export function evaluateDocument(
  key: string,
  doc: TargetedDocument,
  context: EvaluationContext,
  hasTargetingKey: boolean,
  lookup: (flagKey: string) => TargetedDocument | undefined = () => undefined,
  segments: SegmentSource = () => undefined,
): OfrepEvaluation {
  const flag = compiledOf(doc, segments);
  if (flag instanceof Error) return { key, errorCode: "GENERAL", errorDetails: flag.message };
  if (!hasTargetingKey && needsTargetingKey(flag)) {
    return { key, errorCode: "TARGETING_KEY_MISSING", errorDetails: "this flag has targeting rules: the context needs a targetingKey" };
  }
  const result = evaluate(flag, context, (k) => {
    const other = lookup(k);
    const c = other && compiledOf(other, segments);
    return c instanceof Error ? undefined : c;
  });
  return toOfrep(key, doc, result);
}

function toOfrep(key: string, doc: FlagDocument, r: EvaluationResult): OfrepEvaluation {
  if (r.reason === "ERROR") return { key, errorCode: "GENERAL", errorDetails: r.errorMessage ?? "evaluation failed" };
  const metadata: Record<string, string | number | boolean> = { namespace: doc.namespace, version: doc.version, flagType: doc.type };
  // OFREP's reasons lack DEFAULT ("rules exist, none matched"); UNKNOWN keeps caches from treating
  // it as STATIC, and the engine's own reason stays readable in the metadata.
  if (r.reason === "DEFAULT") metadata.mizuflowReason = "DEFAULT";
  if (r.errorCode) metadata.mizuflowError = r.errorCode;
  if (r.ruleIndex !== undefined) metadata.ruleIndex = r.ruleIndex;
  const out: OfrepSuccess = { key, value: r.value, reason: r.reason === "DEFAULT" ? "UNKNOWN" : r.reason, metadata };
  if (r.variant !== undefined) out.variant = r.variant;
  return out;
}
