import { z } from "zod";

/**
 * Unleash's client features payload (GET /api/client/features, with `segments`), parsed loosely:
 * only what the translation reads, unknown fields ignored, so payloads from any Unleash 4.x-7.x
 * server are accepted. Per-field problems are handled (and reported) by the translation.
 */
const stringish = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const UnleashConstraintSchema = z.looseObject({
  contextName: z.string(),
  operator: z.string(),
  values: z.array(stringish.nullable()).optional().nullable(),
  value: stringish.optional().nullable(),
  inverted: z.boolean().optional().nullable(),
  caseInsensitive: z.boolean().optional().nullable(),
});
export type UnleashConstraint = z.infer<typeof UnleashConstraintSchema>;

export const UnleashPayloadValueSchema = z.looseObject({ type: z.string(), value: z.unknown() });

export const UnleashVariantSchema = z.looseObject({
  name: z.string(),
  weight: z.number(),
  payload: UnleashPayloadValueSchema.optional().nullable(),
  stickiness: z.string().optional().nullable(),
  overrides: z
    .array(z.looseObject({ contextName: z.string(), values: z.array(stringish) }))
    .optional()
    .nullable(),
});
export type UnleashVariant = z.infer<typeof UnleashVariantSchema>;

export const UnleashStrategySchema = z.looseObject({
  name: z.string(),
  parameters: z.record(z.string(), stringish.nullable()).optional().nullable(),
  constraints: z.array(UnleashConstraintSchema).optional().nullable(),
  segments: z.array(z.number()).optional().nullable(),
  variants: z.array(UnleashVariantSchema).optional().nullable(),
  disabled: z.boolean().optional().nullable(),
});
export type UnleashStrategy = z.infer<typeof UnleashStrategySchema>;

export const UnleashDependencySchema = z.looseObject({
  feature: z.string(),
  enabled: z.boolean().optional().nullable(),
  variants: z.array(z.string()).optional().nullable(),
});

export const UnleashFeatureSchema = z.looseObject({
  name: z.string().min(1),
  enabled: z.boolean(),
  description: z.string().optional().nullable(),
  project: z.string().optional().nullable(),
  strategies: z.array(z.unknown()).optional().nullable(),
  variants: z.array(z.unknown()).optional().nullable(),
  dependencies: z.array(UnleashDependencySchema).optional().nullable(),
});
export type UnleashFeature = z.infer<typeof UnleashFeatureSchema>;

export const UnleashSegmentSchema = z.looseObject({
  id: z.number(),
  name: z.string().optional().nullable(),
  constraints: z.array(UnleashConstraintSchema),
});
export type UnleashSegment = z.infer<typeof UnleashSegmentSchema>;

export const UnleashClientFeaturesSchema = z.looseObject({
  version: z.number().optional(),
  features: z.array(z.unknown()),
  segments: z.array(z.unknown()).optional().nullable(),
});
