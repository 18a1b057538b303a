import type { z } from "zod";
import { flagIssues, segmentIssues, type TargetingIssue } from "./checks";
import { FlagTargetingSchema, SegmentSchema, type FlagTargeting } from "./model";

/**
 * The schemas a save validates with: structure plus every value check, so a bad semver, date,
 * regex, CIDR or number is refused with an issue whose path names the field (the service layer
 * maps the ZodError to a 422).
 */
export const StrictFlagTargetingSchema = FlagTargetingSchema.superRefine((flag, ctx) => {
  for (const issue of flagIssues(flag)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
});

export const StrictSegmentSchema = SegmentSchema.superRefine((segment, ctx) => {
  for (const issue of segmentIssues(segment.constraints)) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  }
});

export type LenientParse =
  | { ok: true; flag: FlagTargeting; issues: TargetingIssue[] }
  | { ok: false; error: z.ZodError };

/**
 * For imports and for documents already stored: structure must hold, value problems are only
 * reported (the constraint is kept and evaluates as Unleash would: its operator does not match).
 */
export function parseLenient(input: unknown): LenientParse {
  const r = FlagTargetingSchema.safeParse(input);
  if (!r.success) return { ok: false, error: r.error };
  return { ok: true, flag: r.data, issues: flagIssues(r.data) };
}
