import { z } from "zod";
import { keySchema, nameSchema, reasonSchema } from "../validation/common";

export const SdkKeyKindSchema = z
  .enum(["server", "client"])
  .describe("server: flag data and rules on the stream and snapshot; client (browsers, mobile): OFREP evaluation and change notifications only");

/** A browser origin as the Origin header carries it: scheme, host and optional port, nothing else. */
const OriginSchema = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, "an origin such as https://app.example.com (scheme, host, optional port)")
  .transform((o) => o.toLowerCase());

/** Input and output schemas of the SDK key verbs; the admin API documents these same objects. */
export const CreateSdkKeySchema = z
  .object({
    name: nameSchema,
    environment: keySchema.describe("The one environment the key can read"),
    namespaces: z
      .array(keySchema)
      .min(1, "list at least one namespace, or pass null for all namespaces")
      .max(100, "at most 100 namespaces")
      .nullable()
      .describe("Namespaces the key can read; null = every namespace (super-admins only)"),
    kind: SdkKeyKindSchema.default("server"),
    allowedOrigins: z
      .array(OriginSchema)
      .max(50, "at most 50 origins")
      .nullable()
      .default(null)
      .describe("Browser origins allowed to call OFREP with a client key (CORS); null = none"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const ListSdkKeysSchema = z
  .object({
    environment: keySchema.optional(),
    includeRevoked: z.boolean().default(false),
  })
  .strict();

export const RevokeSdkKeySchema = z
  .object({
    id: z.number().int().min(1),
    reason: reasonSchema.optional(),
  })
  .strict();

export const SdkKeyViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string().describe("The first characters of the key, to recognise it"),
  environment: z.string(),
  namespaces: z.array(z.string()).nullable(),
  kind: SdkKeyKindSchema,
  allowedOrigins: z.array(z.string()).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const CreatedSdkKeySchema = z.object({
  sdkKey: SdkKeyViewSchema,
  key: z.string().describe("The key itself. Shown once: only its hash is stored."),
});

export type SdkKeyKind = z.infer<typeof SdkKeyKindSchema>;
export type SdkKeyView = z.infer<typeof SdkKeyViewSchema>;
export type CreatedSdkKey = z.infer<typeof CreatedSdkKeySchema>;
