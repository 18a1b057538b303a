import { z } from "zod";
import type { FlagType } from "../db/schema";
import { ServiceError } from "../errors/service-error";

/** Serialised size limit of one flag value; etcd requests and SSE events stay small. */
export const MAX_VALUE_BYTES = 32 * 1024;
export const MAX_STRING_CHARS = 8 * 1024;

const byType: Record<FlagType, z.ZodType> = {
  boolean: z.boolean({ error: "must be true or false" }),
  string: z.string({ error: "must be a string" }).max(MAX_STRING_CHARS, `must be at most ${MAX_STRING_CHARS} characters`),
  number: z.number({ error: "must be a finite number" }).refine(Number.isFinite, "must be a finite number"),
  json: z.json({ error: "must be a JSON value" }),
};

export function defaultValueFor(type: FlagType): unknown {
  return { boolean: false, string: "", number: 0, json: null }[type];
}

/** Validates a value against the flag's type and the size limit; `field` names it in the error. */
export function assertValueMatchesType(type: FlagType, value: unknown, field = "value"): unknown {
  if (value === undefined) {
    throw new ServiceError("validation_failed", "Invalid input", { issues: [{ path: field, message: "is required" }] });
  }
  const result = byType[type].safeParse(value);
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? `must be a ${type}`;
    throw new ServiceError("validation_failed", "Invalid input", {
      issues: [{ path: field, message: `${message} (flag type is ${type})` }],
    });
  }
  const size = Buffer.byteLength(JSON.stringify(result.data), "utf8");
  if (size > MAX_VALUE_BYTES) {
    throw new ServiceError("validation_failed", "Invalid input", {
      issues: [{ path: field, message: `must serialise to at most ${MAX_VALUE_BYTES} bytes (got ${size})` }],
    });
  }
  return result.data;
}
