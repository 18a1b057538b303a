import { z } from "zod";

/** Keys become etcd path segments, so `/` and anything else outside this set can never get in. */
export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export const keySchema = z
  .string()
  .regex(KEY_PATTERN, "must be 1-128 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");

const noControlChars = (s: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);

export const nameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .refine(noControlChars, "must not contain control characters");

export const descriptionSchema = z
  .string()
  .max(2000, "must be at most 2000 characters")
  .refine(noControlChars, "must not contain control characters");

export const reasonSchema = z
  .string()
  .trim()
  .max(1000, "must be at most 1000 characters")
  .refine(noControlChars, "must not contain control characters");

export const tagSchema = z.string().regex(/^[a-z0-9][a-z0-9:._-]{0,63}$/, "must be 1-64 characters of a-z, 0-9, ':', '.', '_' or '-'");

export const versionSchema = z.number().int().min(1).max(2_147_483_647);
