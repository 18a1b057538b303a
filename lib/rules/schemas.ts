import { z } from "zod";
import { FlagTargetingSchema, type FlagTargeting } from "../../sdk/src/targeting";
import { keySchema, reasonSchema, versionSchema } from "../validation/common";

/**
 * The targeting of one flag in one environment, as the admin API takes it (issue 14): the engine's
 * FlagTargeting minus key, type and value (sdk/src/targeting/model.ts), flat in the body next to
 * `expectedVersion`, so a 422 names the same path the engine does (`rules.0.constraints.1.value`).
 * Structure is checked here; the verb adds the engine's strict value checks and the references.
 */
export const TargetingFieldsSchema = FlagTargetingSchema.omit({ key: true, type: true, value: true });

export const TargetingBodySchema = TargetingFieldsSchema.extend({
  expectedVersion: versionSchema.optional().describe("Fails with 409 if this environment's version (value and rules) differs"),
  reason: reasonSchema.optional(),
});

export const TargetingRefSchema = z.object({ namespace: keySchema, key: keySchema, environment: keySchema }).strict();

export const SetTargetingSchema = TargetingBodySchema.extend(TargetingRefSchema.shape);

/** Stored and published form: FlagTargeting minus key/type/value, defaults left out ({} = no rules). */
export type StoredTargeting = Partial<Omit<FlagTargeting, "key" | "type" | "value">>;

export const TargetingViewSchema = z.object({
  namespace: z.string(),
  key: z.string(),
  environment: z.string(),
  type: z.string(),
  value: z.json().describe("The environment's value: served when no rule matches"),
  version: z.number().int().describe("The (flag, environment) version; value and rules share it"),
  updatedAt: z.string(),
  targeting: z.record(z.string(), z.unknown()).describe("enabled, offValue, variants, prerequisites, rules ({} = no rules)"),
});
export type TargetingView = z.infer<typeof TargetingViewSchema>;

/** Drops what equals the default, so a flag without rules stores null and publishes no `targeting`. */
export function compactTargeting(t: Omit<FlagTargeting, "key" | "type" | "value">): StoredTargeting | null {
  const out: StoredTargeting = {};
  if (t.enabled === false) out.enabled = false;
  if (t.offValue !== undefined) out.offValue = t.offValue;
  if (t.variants.length) out.variants = t.variants;
  if (t.prerequisites.length) out.prerequisites = t.prerequisites;
  if (t.rules.length) out.rules = t.rules;
  return Object.keys(out).length ? out : null;
}

/** One page of the audited versions of a flag's rules in one environment (what rollback can restore). */
export const TargetingVersionsSchema = TargetingRefSchema.extend({
  cursor: z.number().int().positive().optional().describe("The nextCursor of the previous page"),
  limit: z.number().int().min(1).max(500).default(100).describe("Most versions in the page"),
});

export const RollbackTargetingSchema = TargetingRefSchema.extend({
  toVersion: versionSchema.describe("The earlier version whose rules are saved again (the value stays as it is now)"),
  expectedVersion: versionSchema.optional().describe("Fails with 409 if the current version (value and rules) differs"),
  reason: reasonSchema.optional(),
});

/** One audited rule set of a flag in one environment, as rollback offers it. */
export const TargetingVersionSchema = z.object({
  environment: z.string(),
  version: z.number().int().describe("The (flag, environment) version these rules were in force at"),
  targeting: z.record(z.string(), z.unknown()),
  eventId: z.number().int().describe("The audit event that created this version or, for the rules before the first recorded change, the event that replaced them"),
  action: z.string(),
  actorName: z.string(),
  occurredAt: z.string(),
});
export type TargetingVersion = z.infer<typeof TargetingVersionSchema>;
