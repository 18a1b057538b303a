import { parseConstraint, type SegmentEntry, type WireConstraint, type WireTargeting } from "./local-eval/wire";
import type { FlagEntry, FlagType, JsonValue } from "./types";

/**
 * Parsers for the payloads of "SDK stream protocol v1" (docs: ../../docs/PROTOCOL.md):
 * `snapshot`, `put` and `delete` events, each a JSON object whose `revision` equals the event id.
 * Hand-written instead of zod so the browser bundle stays small; anything malformed is rejected
 * whole (the client logs it and keeps its state) rather than half applied.
 */

export interface SnapshotPayload {
  revision: number;
  environment: string | null;
  flags: FlagEntry[];
  /** The segments of the namespaces in scope (absent from servers without targeting: none). */
  segments?: SegmentEntry[];
}

/** `segment` event: a segment added or changed (one per environment and key). */
export interface SegmentPayload extends SegmentEntry {
  revision: number;
}

export interface PutPayload extends FlagEntry {
  revision: number;
}

export interface DeletePayload {
  revision: number;
  namespace: string;
  key: string;
  version: number;
}

const FLAG_TYPES: readonly FlagType[] = ["boolean", "string", "number", "json"];

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isName = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 128 && !v.includes("/");

export function parseFlagEntry(v: unknown): FlagEntry | null {
  if (!isObj(v)) return null;
  const { namespace, key, type, value, version } = v;
  if (!isName(namespace) || !isName(key) || !isCount(version)) return null;
  if (typeof type !== "string" || !FLAG_TYPES.includes(type as FlagType)) return null;
  if (value === undefined) return null;
  const entry: FlagEntry = { namespace, key, type: type as FlagType, value: value as JsonValue, version };
  // Targeting's inner structure is checked when the flag is compiled (local-eval/wire.ts): a flag
  // this SDK cannot read answers PARSE_ERROR instead of failing the whole event or snapshot.
  if (v.targeting !== undefined && v.targeting !== null) {
    if (!isObj(v.targeting)) return null;
    entry.targeting = v.targeting as WireTargeting;
  }
  return entry;
}

export function parseSegmentEntry(v: unknown): SegmentEntry | null {
  if (!isObj(v) || !isName(v.namespace) || !isName(v.key) || !isCount(v.version) || !Array.isArray(v.constraints)) return null;
  if (v.name !== undefined && v.name !== null && typeof v.name !== "string") return null;
  const constraints: WireConstraint[] = [];
  for (const c of v.constraints) {
    const parsed = parseConstraint(c);
    if (!parsed) return null;
    constraints.push(parsed);
  }
  const entry: SegmentEntry = { namespace: v.namespace, key: v.key, constraints, version: v.version };
  if (typeof v.name === "string") entry.name = v.name;
  return entry;
}

export function parseSegment(v: unknown): SegmentPayload | null {
  if (!isObj(v) || !isCount(v.revision)) return null;
  const entry = parseSegmentEntry(v);
  return entry ? { ...entry, revision: v.revision } : null;
}

export function parseSnapshot(v: unknown): SnapshotPayload | null {
  if (!isObj(v) || !isCount(v.revision) || !Array.isArray(v.flags)) return null;
  const flags: FlagEntry[] = [];
  for (const f of v.flags) {
    const entry = parseFlagEntry(f);
    if (!entry) return null;
    flags.push(entry);
  }
  const environment = typeof v.environment === "string" ? v.environment : null;
  if (v.segments === undefined || v.segments === null) return { revision: v.revision, environment, flags };
  if (!Array.isArray(v.segments)) return null;
  const segments: SegmentEntry[] = [];
  for (const raw of v.segments) {
    const entry = parseSegmentEntry(raw);
    if (!entry) return null;
    segments.push(entry);
  }
  return { revision: v.revision, environment, flags, segments };
}

export function parsePut(v: unknown): PutPayload | null {
  if (!isObj(v) || !isCount(v.revision)) return null;
  const entry = parseFlagEntry(v);
  return entry ? { ...entry, revision: v.revision } : null;
}

export function parseDelete(v: unknown): DeletePayload | null {
  if (!isObj(v) || !isCount(v.revision) || !isName(v.namespace) || !isName(v.key) || !isCount(v.version)) return null;
  return { revision: v.revision, namespace: v.namespace, key: v.key, version: v.version };
}

/** `segment-delete` has the shape of `delete`. */
export const parseSegmentDelete = parseDelete;

/** The revision of an event: the payload's, else the SSE id (they are equal by contract). */
export function withRevision(data: unknown, lastEventId: string): unknown {
  if (isObj(data) && data.revision === undefined && /^\d+$/.test(lastEventId)) return { ...data, revision: Number(lastEventId) };
  return data;
}
