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
}

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
export function sameContent(a: FlagDocument, b: FlagDocument): boolean {
  return (
    a.version === b.version &&
    a.type === b.type &&
    a.namespace === b.namespace &&
    a.key === b.key &&
    JSON.stringify(a.value) === JSON.stringify(b.value)
  );
}
