import { z } from "zod";
import { queryBoolean } from "../http/query";
import { keySchema, reasonSchema } from "../validation/common";

/**
 * The Unleash import (issue 14): `POST /api/v1/import/unleash?environment=E[&namespace=N][&dryRun=true]`
 * with Unleash's client features payload (`/api/client/features`, with `segments`) as the body.
 */
export const ImportUnleashQuerySchema = z
  .object({
    environment: keySchema.describe("The MizuFlow environment the payload's (one) Unleash environment maps to"),
    namespace: keySchema
      .optional()
      .describe("Import every feature into this namespace; without it each feature goes to the namespace named like its Unleash project ('default' without one)"),
    dryRun: queryBoolean.optional().describe("true: return the plan and notes, change nothing"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const UnleashPayloadSchema = z.looseObject({
  features: z.array(z.unknown()).describe("Unleash features (name, enabled, strategies, variants, dependencies, ...)"),
  segments: z.array(z.unknown()).optional(),
});

/** The verb's input: the query, parsed (dryRun a boolean), plus the payload. */
export const ImportUnleashSchema = ImportUnleashQuerySchema.extend({ dryRun: z.boolean().optional(), payload: z.unknown() });

const keys = z.array(z.string()).describe("namespace/key");

export const ImportReportSchema = z.object({
  dryRun: z.boolean(),
  environment: z.string(),
  created: z.object({ flags: keys, segments: keys }),
  updated: z.object({ flags: keys, segments: keys }),
  unchanged: z.object({ flags: keys, segments: keys }),
  notes: z.array(z.object({ kind: z.enum(["malformed", "skipped", "changed"]), path: z.string(), feature: z.string().optional(), message: z.string() })),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;
