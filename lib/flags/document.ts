import { z } from "zod";
import type { FlagType } from "../db/schema";
import { FLAG_TYPES } from "../db/schema";

/**
 * The JSON document stored at flags/{env}/{ns}/{key} in etcd (schema "flag.v1"), and the one the
 * SDK stream sends. `version` is MySQL's per-(flag, environment) version; `updatedAt` is the commit
 * time, which propagation-latency metrics measure from.
 */
export interface FlagDocument {
  namespace: string;
  key: string;
  type: FlagType;
  value: unknown;
  version: number;
  updatedAt: string;
  /**
   * The flag's rules in this environment (issue 14): the engine's FlagTargeting minus key, type and
   * value (sdk/src/targeting/model.ts). Absent = no rules: SDKs serve `value` (reason STATIC). Old
   * clients ignore it and keep serving `value`, the fall-through.
   */
  targeting?: StoredTargeting;
}

/** Targeting as stored and published; checked leniently when evaluated (parseLenient). */
export type StoredTargeting = Record<string, unknown>;

/**
 * The document at segments/{env}/{ns}/{key} (schema "segment.v1"): a namespace's segment, published
 * to every environment with the segment's one version.
 */
export interface SegmentDocument {
  namespace: string;
  key: string;
  name?: string;
  constraints: unknown[];
  version: number;
  updatedAt: string;
}

/** What a fenced publish puts: a flag's document or a segment's. */
export type PublishedDocument = FlagDocument | SegmentDocument;

export const isFlagDocument = (d: PublishedDocument): d is FlagDocument => "type" in d;

export interface Tombstone {
  namespace: string;
  key: string;
  version: number;
  deletedAt: string;
}

export const FlagDocumentSchema = z.object({
  namespace: z.string(),
  key: z.string(),
  type: z.enum(FLAG_TYPES),
  value: z.json(),
  version: z.number().int().min(0),
  updatedAt: z.string(),
  targeting: z.record(z.string(), z.unknown()).optional(),
});

export const SegmentDocumentSchema = z.object({
  namespace: z.string(),
  key: z.string(),
  name: z.string().optional(),
  constraints: z.array(z.unknown()),
  version: z.number().int().min(0),
  updatedAt: z.string(),
});

export const TombstoneSchema = z.object({
  namespace: z.string(),
  key: z.string(),
  version: z.number().int().min(0),
  deletedAt: z.string(),
});

export function parseDocument(raw: string | null): FlagDocument | null {
  if (raw === null) return null;
  try {
    const r = FlagDocumentSchema.safeParse(JSON.parse(raw));
    return r.success ? (r.data as FlagDocument) : null;
  } catch {
    return null;
  }
}

export function parseSegmentDocument(raw: string | null): SegmentDocument | null {
  if (raw === null) return null;
  try {
    const r = SegmentDocumentSchema.safeParse(JSON.parse(raw));
    return r.success ? (r.data as SegmentDocument) : null;
  } catch {
    return null;
  }
}

export function parseTombstone(raw: string | null): Tombstone | null {
  if (raw === null) return null;
  try {
    const r = TombstoneSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Same served content (ignores updatedAt, which a repair may legitimately restate). */
export function sameContent(a: PublishedDocument, b: PublishedDocument): boolean {
  if (a.version !== b.version || a.namespace !== b.namespace || a.key !== b.key) return false;
  if (isFlagDocument(a) !== isFlagDocument(b)) return false;
  if (isFlagDocument(a)) {
    const f = b as FlagDocument;
    return a.type === f.type && JSON.stringify(a.value) === JSON.stringify(f.value) && sameTargeting(a.targeting, f.targeting);
  }
  const s = b as SegmentDocument;
  return (a.name ?? null) === (s.name ?? null) && JSON.stringify(a.constraints) === JSON.stringify(s.constraints);
}

/** Absent and {} both mean "no rules". */
function sameTargeting(a: StoredTargeting | undefined, b: StoredTargeting | undefined): boolean {
  const norm = (t: StoredTargeting | undefined) => (t && Object.keys(t).length ? JSON.stringify(t) : "");
  return norm(a) === norm(b);
}
