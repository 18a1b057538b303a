import { FlagTargetingSchema, type FlagTargeting, type Prerequisite, type Rule, type Segment, type Serve } from "../model";
import { translateConstraint } from "./constraints";
import {
  UnleashClientFeaturesSchema,
  UnleashFeatureSchema,
  UnleashSegmentSchema,
  type UnleashFeature,
  type UnleashSegment,
} from "./payload";
import { type ImportNote, NoteSink, pathOf } from "./report";
import { translateStrategy } from "./strategies";
import { translateSplit, VariantPool } from "./variants";

export interface ImportedFlag {
  /** Unleash's project, for the caller to map onto a namespace. */
  project?: string;
  description?: string;
  targeting: FlagTargeting;
}

export interface ImportPlan {
  flags: ImportedFlag[];
  segments: Segment[];
  notes: ImportNote[];
}

export type ImportResult = { ok: true; plan: ImportPlan } | { ok: false; message: string };

function segmentKeys(segments: UnleashSegment[]): Map<number, string> {
  const count = new Map<string, number>();
  for (const s of segments) if (s.name) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  return new Map(segments.map((s) => [s.id, s.name && count.get(s.name) === 1 ? s.name : `segment-${s.id}`]));
}

/**
 * One Unleash feature as a boolean MizuFlow flag: enabled = some strategy matches (or, with no
 * strategies, the feature is on). Each strategy becomes a rule serving `true` (or its variant
 * split); the environment's value is `false` when strategies exist, `true` when none do.
 */
interface FeatureScope {
  segmentKeys: Map<number, string>;
  /** Every feature of the payload by name, to check dependencies. */
  parents: Map<string, UnleashFeature>;
}

function translateFeature(f: UnleashFeature, at: number, scope: FeatureScope, root: NoteSink): FlagTargeting {
  const notes = root.forFeature(f.name);
  const base: (string | number)[] = ["features", at];
  const pool = new VariantPool();
  const featureVariants = f.variants ?? [];
  let featureServe: Serve = { value: true };
  if (featureVariants.length > 0) {
    const first = featureVariants[0] as { stickiness?: unknown };
    const stickiness = (typeof first?.stickiness === "string" && first.stickiness) || "default";
    const split = translateSplit(featureVariants, pool, { stickiness, groupId: f.name }, [...base, "variants"], notes);
    if (split) featureServe = { split };
  }
  const strategies = f.strategies ?? [];
  const rules: Rule[] = [];
  strategies.forEach((s, i) => {
    const before = notes.notes.length;
    rules.push(...translateStrategy(s, i, { feature: f.name, segmentKeys: scope.segmentKeys, pool, featureServe }, notes));
    // Strategy notes are relative to the strategy; anchor them at this feature.
    for (const n of notes.notes.slice(before)) n.path = `${pathOf(base)}.${n.path}`;
  });
  const noStrategies = strategies.length === 0;
  if (noStrategies && "split" in featureServe) rules.push({ constraints: [], segments: [], serve: featureServe });
  let enabled = f.enabled;
  const prerequisites: Prerequisite[] = (f.dependencies ?? []).map((d) => {
    const p: Prerequisite = { flag: d.feature, enabled: d.enabled !== false };
    if (d.variants && d.variants.length > 0) p.variants = d.variants;
    const parent = scope.parents.get(d.feature);
    if (!parent) {
      notes.add("changed", pathOf([...base, "dependencies"]), `'${d.feature}' is not in the payload: the flag stays off until it exists`);
    } else if ((parent.dependencies ?? []).length > 0 && enabled) {
      // unleash-client never satisfies a dependency on a flag that has dependencies of its own.
      enabled = false;
      notes.add("changed", pathOf([...base, "dependencies"]), `'${d.feature}' has dependencies of its own, which Unleash never satisfies: imported as off`);
    }
    return p;
  });
  return FlagTargetingSchema.parse({
    key: f.name,
    type: "boolean",
    value: noStrategies && !("split" in featureServe),
    enabled,
    offValue: false,
    variants: pool.variants,
    rules,
    prerequisites,
  });
}

/**
 * Translates Unleash's client features payload into MizuFlow flags and segments, without side
 * effects: the plan is what a dry run shows and what an import then writes. Nothing in a
 * well-formed payload is dropped silently: every difference is in `notes`.
 */
export function translateUnleash(payload: unknown): ImportResult {
  const top = UnleashClientFeaturesSchema.safeParse(payload);
  if (!top.success) return { ok: false, message: "not an Unleash client features payload (needs a 'features' array)" };
  const root = new NoteSink();
  const segmentsIn: UnleashSegment[] = [];
  (top.data.segments ?? []).forEach((raw, i) => {
    const s = UnleashSegmentSchema.safeParse(raw);
    if (s.success) segmentsIn.push(s.data);
    else root.add("skipped", pathOf(["segments", i]), "not a segment (needs id and constraints)");
  });
  const keys = segmentKeys(segmentsIn);
  const segments: Segment[] = segmentsIn.map((s, i) => ({
    key: keys.get(s.id)!,
    ...(s.name ? { name: s.name } : {}),
    constraints: s.constraints.flatMap((c, j) => translateConstraint(c, ["segments", i, "constraints", j], root) ?? []),
  }));
  const features: UnleashFeature[] = [];
  const positions: number[] = [];
  top.data.features.forEach((raw, i) => {
    const f = UnleashFeatureSchema.safeParse(raw);
    if (f.success) {
      features.push(f.data);
      positions.push(i);
    } else root.add("skipped", pathOf(["features", i]), "not a feature (needs name and enabled)");
  });
  const parents = new Map(features.map((f) => [f.name, f]));
  const flags = features.map((f, i) => {
    const targeting = translateFeature(f, positions[i]!, { segmentKeys: keys, parents }, root);
    const out: ImportedFlag = { targeting };
    if (f.project) out.project = f.project;
    if (f.description) out.description = f.description;
    return out;
  });
  return { ok: true, plan: { flags, segments, notes: root.notes } };
}
