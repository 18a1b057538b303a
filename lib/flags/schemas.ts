import { z } from "zod";
import { FLAG_TYPES } from "../db/schema";
import { descriptionSchema, keySchema, reasonSchema, tagSchema, versionSchema } from "../validation/common";

/** Input schemas of the flag verbs; the admin API and the OpenAPI document use these same objects. */
export const FlagRefSchema = z.object({ namespace: keySchema, key: keySchema });

export const CreateFlagSchema = z
  .object({
    namespace: keySchema,
    key: keySchema,
    type: z.enum(FLAG_TYPES),
    description: descriptionSchema.optional(),
    tags: z.array(tagSchema).max(20, "at most 20 tags").optional(),
    defaultValue: z.json().optional().describe("Served in environments without an explicit value"),
    values: z.record(keySchema, z.json()).optional().describe("Initial value per environment key"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const UpdateFlagSchema = z
  .object({
    namespace: keySchema,
    key: keySchema,
    description: descriptionSchema.nullable().optional(),
    tags: z.array(tagSchema).max(20, "at most 20 tags").optional(),
    defaultValue: z.json().optional(),
    expectedVersion: versionSchema.optional().describe("Fails with 409 if the flag's version differs"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const SetFlagValueSchema = z
  .object({
    namespace: keySchema,
    key: keySchema,
    environment: keySchema,
    value: z.json().describe("The new value; must match the flag's type"),
    expectedVersion: versionSchema.optional().describe("Fails with 409 if this environment's value version differs"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const ArchiveFlagSchema = z
  .object({
    namespace: keySchema,
    key: keySchema,
    archived: z.boolean(),
    expectedVersion: versionSchema.optional(),
    reason: reasonSchema.optional(),
  })
  .strict();

export const DeleteFlagSchema = z
  .object({
    namespace: keySchema,
    key: keySchema,
    expectedVersion: versionSchema.optional(),
    reason: reasonSchema.optional(),
  })
  .strict();

export const ListFlagsSchema = z
  .object({
    namespace: keySchema.optional(),
    type: z.enum(FLAG_TYPES).optional(),
    tag: tagSchema.optional(),
    archived: z.boolean().optional(),
    search: z.string().max(128).optional(),
    cursor: z.string().max(300).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

export const FlagValueViewSchema = z.object({
  value: z.json(),
  version: z.number().int(),
  updatedAt: z.string(),
});

export const FlagViewSchema = z.object({
  id: z.number().int(),
  namespace: z.string(),
  key: z.string(),
  type: z.enum(FLAG_TYPES),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  defaultValue: z.json(),
  archived: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  values: z.record(z.string(), FlagValueViewSchema),
});

export type FlagView = z.infer<typeof FlagViewSchema>;
export type SetFlagValueInput = z.output<typeof SetFlagValueSchema>;

/** Most changes one atomic value-change request may carry. */
export const MAX_VALUE_CHANGES = 500;

export const SetFlagValuesSchema = z
  .object({
    changes: z
      .array(SetFlagValueSchema.omit({ reason: true }))
      .min(1, "at least one change")
      .max(MAX_VALUE_CHANGES, `at most ${MAX_VALUE_CHANGES} changes`)
      .describe("Applied in order, all or nothing; the same value may be changed more than once"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const ValueChangeResultSchema = z.object({
  namespace: z.string(),
  key: z.string(),
  environment: z.string(),
  value: z.json(),
  version: z.number().int(),
  updatedAt: z.string(),
});

export const SetFlagValuesResultSchema = z.object({ changes: z.array(ValueChangeResultSchema) });
export type SetFlagValuesResult = z.infer<typeof SetFlagValuesResultSchema>;
