import { z } from "zod";
import { ERROR_CODES } from "../errors/service-error";
import { reasonSchema, versionSchema } from "../validation/common";

/** The error body every endpoint returns (errors/http.ts builds it). */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    details: z.record(z.string(), z.unknown()).optional().describe("For 409: currentVersion (and current value)"),
  }),
});

export const DeletedSchema = z.object({ deleted: z.literal(true) });

export const ReasonQuerySchema = z.object({ reason: reasonSchema.optional() }).strict();

export const ExpectedVersionQuerySchema = z
  .object({
    expectedVersion: z.coerce.number({ error: "must be an integer" }).pipe(versionSchema).optional()
      .describe("Fails with 409 if the current version differs"),
    reason: reasonSchema.optional(),
  })
  .strict();
