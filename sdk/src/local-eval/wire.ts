import type { JsonValue } from "../types";

/**
 * Targeting as the stream carries it (docs/PROTOCOL.md, docs/TARGETING.md): the engine's
 * `FlagTargeting` minus `key`, `type`, `value`, every field optional. Hand-written and zod-free so
 * the core client's bundle and declarations stay small; the engine's own types live behind the
 * `./targeting` entry.
 */
export type WireTargeting = { [field: string]: JsonValue };

export interface WireConstraint {
  contextName: string;
  operator: string;
  values?: string[];
  value?: string;
  inverted?: boolean;
  caseInsensitive?: boolean;
}

/** One segment of a namespace (doc `segment.v1` without `updatedAt`). */
export interface SegmentEntry {
  namespace: string;
  key: string;
  name?: string;
  constraints: WireConstraint[];
  version: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const optStr = (v: unknown) => v === undefined || typeof v === "string";
const optBool = (v: unknown) => v === undefined || typeof v === "boolean";
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const listOf = <T>(v: unknown, each: (x: unknown) => T | null): T[] | null => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return null;
  const out: T[] = [];
  for (const x of v) {
    const parsed = each(x);
    if (parsed === null) return null;
    out.push(parsed);
  }
  return out;
};

export function parseConstraint(v: unknown): WireConstraint | null {
  if (!isObj(v) || typeof v.contextName !== "string" || typeof v.operator !== "string") return null;
  if (!(v.values === undefined || strings(v.values)) || !optStr(v.value) || !optBool(v.inverted) || !optBool(v.caseInsensitive)) return null;
  return v as unknown as WireConstraint;
}

const parseVariant = (v: unknown) =>
  isObj(v) && typeof v.name === "string" && v.value !== undefined && (v.payload === undefined || (isObj(v.payload) && typeof v.payload.type === "string" && typeof v.payload.value === "string"))
    ? v
    : null;

const parsePrerequisite = (v: unknown) =>
  isObj(v) && typeof v.flag === "string" && optBool(v.enabled) && (v.variants === undefined || strings(v.variants))
    ? { ...v, enabled: v.enabled ?? true }
    : null;

const parseOverride = (v: unknown) => (isObj(v) && typeof v.contextName === "string" && strings(v.values) ? v : null);

const parseSplitEntry = (v: unknown) =>
  isObj(v) && typeof v.variant === "string" && typeof v.weight === "number" && listOf(v.overrides, parseOverride) !== null ? v : null;

function parseServe(v: unknown): Obj | null {
  if (!isObj(v)) return null;
  if ("value" in v) return v.value === undefined ? null : v;
  const split = v.split;
  if (!isObj(split) || !optStr(split.stickiness) || !optStr(split.groupId)) return null;
  const variants = listOf(split.variants, parseSplitEntry);
  return variants && variants.length > 0 ? v : null;
}

function parseRule(v: unknown): Obj | null {
  if (!isObj(v) || !optStr(v.name)) return null;
  const constraints = listOf(v.constraints, parseConstraint);
  const segments = v.segments === undefined ? [] : strings(v.segments) ? v.segments : null;
  const gate = v.gate;
  const gateOk = gate === undefined || (isObj(gate) && typeof gate.percentage === "number" && optStr(gate.stickiness) && optStr(gate.groupId));
  const serve = parseServe(v.serve);
  if (!constraints || !segments || !gateOk || !serve) return null;
  return { ...v, constraints, segments, serve };
}

/**
 * The flag as the engine compiles it (`FlagTargeting`): structure checked and defaults filled in
 * (`enabled` true, empty lists), so compiling cannot trip over a missing field. Values are not
 * checked here: a malformed semver/date/regex/CIDR compiles to a constraint that does not match,
 * exactly as the engine's lenient parse keeps it. Null when the structure does not hold.
 */
export function engineFlag(key: string, type: string, value: JsonValue, targeting: WireTargeting | undefined): Obj | null {
  const t: Obj = targeting ?? {};
  if (!isObj(t) || !optBool(t.enabled)) return null;
  const variants = listOf(t.variants, parseVariant);
  const prerequisites = listOf(t.prerequisites, parsePrerequisite);
  const rules = listOf(t.rules, parseRule);
  if (!variants || !prerequisites || !rules) return null;
  const flag: Obj = { key, type, value, enabled: t.enabled ?? true, variants, prerequisites, rules };
  if (t.offValue !== undefined) flag.offValue = t.offValue;
  return flag;
}

/** True when the flag's targeting can change what a context gets (anything but an empty object). */
export function hasTargeting(targeting: WireTargeting | undefined): boolean {
  if (targeting === undefined) return false;
  for (const k in targeting) {
    const v = targeting[k];
    if (v === undefined || (k === "enabled" && v === true) || (Array.isArray(v) && v.length === 0)) continue;
    return true;
  }
  return false;
}

/** The segment keys a flag's rules name (for change events when a segment changes). */
/** The keys of the flags (same namespace) a flag's targeting names as prerequisites. */
export function prerequisiteRefs(targeting: WireTargeting | undefined): string[] {
  const prerequisites = targeting?.prerequisites;
  if (!Array.isArray(prerequisites)) return [];
  const out: string[] = [];
  for (const p of prerequisites) if (isObj(p) && typeof p.flag === "string") out.push(p.flag);
  return out;
}

export function segmentRefs(targeting: WireTargeting | undefined): string[] {
  const rules = targeting?.rules;
  if (!Array.isArray(rules)) return [];
  const out: string[] = [];
  for (const r of rules) if (isObj(r) && Array.isArray(r.segments)) for (const s of r.segments) if (typeof s === "string") out.push(s);
  return out;
}
