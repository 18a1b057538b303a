import { translateUnleash, type ImportedFlag, type ImportNote, type Segment } from "../../sdk/src/targeting";
import { ServiceError, type FieldIssue } from "../errors/service-error";
import { KEY_PATTERN } from "../validation/common";

/** The engine's plan, placed onto MizuFlow namespaces and keys (no I/O). */
export interface PlacedPlan {
  /** namespace key -> the flags imported into it */
  flags: Map<string, ImportedFlag[]>;
  /** Created in every namespace that receives a flag (Unleash segments are global, MizuFlow's per namespace). */
  segments: Segment[];
  notes: ImportNote[];
}

/**
 * Translates the payload (translateUnleash, lenient: malformed values are kept and noted) and maps
 * it onto MizuFlow. What makes a payload invalid, so that nothing at all is imported (422):
 * not a client features payload, a feature name that is not a MizuFlow key (renaming would silently
 * change what SDKs look up), or a project that cannot name a namespace. Segment keys are internal
 * (only rules name them), so they are renamed to MizuFlow keys with a `changed` note instead.
 */
export function placePlan(payload: unknown, namespace: string | undefined): PlacedPlan {
  const translated = translateUnleash(payload);
  if (!translated.ok) throw new ServiceError("validation_failed", "Invalid input", { issues: [{ path: "(body)", message: translated.message }] });
  const { plan } = translated;
  const notes = [...plan.notes];
  const issues: FieldIssue[] = [];
  const renamed = segmentKeys(plan.segments, notes);
  const flags = new Map<string, ImportedFlag[]>();
  for (const f of plan.flags) {
    const key = f.targeting.key;
    const ns = namespace ?? f.project ?? "default";
    if (!KEY_PATTERN.test(key)) issues.push({ path: `features.${key}`, message: "is not a MizuFlow flag key (1-128 of a-z, 0-9, '.', '_', '-'); rename the feature or import it by hand" });
    if (!KEY_PATTERN.test(ns)) issues.push({ path: `features.${key}.project`, message: `'${ns}' cannot name a namespace; pass ?namespace=` });
    const rules = f.targeting.rules.map((r) => ({ ...r, segments: r.segments.map((s) => renamed.get(s) ?? s) }));
    const list = flags.get(ns) ?? flags.set(ns, []).get(ns)!;
    list.push({ ...f, targeting: { ...f.targeting, rules } });
  }
  if (issues.length) throw new ServiceError("validation_failed", "The payload cannot be imported; nothing was changed", { issues });
  const segments = plan.segments.map((s) => ({ ...s, key: renamed.get(s.key) ?? s.key }));
  return { flags, segments, notes };
}

function segmentKeys(segments: readonly Segment[], notes: ImportNote[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  segments.forEach((s, i) => {
    const base = s.key.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 120) || "segment";
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
    used.add(key);
    out.set(s.key, key);
    if (key !== s.key) notes.push({ kind: "changed", path: `segments[${i}]`, message: `segment '${s.key}' is imported as '${key}' (MizuFlow keys are a-z, 0-9, '.', '_', '-')` });
  });
  return out;
}
