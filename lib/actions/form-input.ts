import { z } from "zod";

/**
 * Zod building blocks for server-action input, which arrives either as FormData (every value a
 * string, a checkbox "on" or absent) or as a JSON object from a client component. They normalise both
 * into what the service verb expects; the verb's own schema stays the real validation.
 */

/** FormData -> plain object; repeated names become arrays; Next's internal $ACTION fields are dropped. */
export function formDataToObject(fd: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of fd.entries()) {
    if (k.startsWith("$ACTION")) continue;
    const value = typeof v === "string" ? v : v.name;
    // Push onto one array: re-concatenating per repeat is quadratic in a hostile form's size.
    const prev = out[k];
    if (Array.isArray(prev)) prev.push(value);
    else if (k in out) out[k] = [prev, value];
    else out[k] = value;
  }
  return out;
}

export function normaliseActionInput(raw: unknown): unknown {
  if (typeof FormData !== "undefined" && raw instanceof FormData) return formDataToObject(raw);
  return raw ?? {};
}

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** Optional text; an empty field means "not given". */
export const optText = z.preprocess(blankToUndefined, z.string().optional());

/** Text that may be cleared: an empty field means null. */
export const clearableText = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.string().nullable().optional());

/** A checkbox or boolean: "on"/"true"/true is true; absent, "", "off", "false" is false. */
export const checkbox = z.preprocess((v) => {
  if (v === true || v === "on" || v === "true" || v === "1") return true;
  if (v === undefined || v === false || v === "" || v === "off" || v === "false" || v === "0") return false;
  return v;
}, z.boolean());

/** Like checkbox, but absent stays undefined ("leave unchanged"). */
export const optBoolean = z.preprocess((v) => (v === undefined || v === "" ? undefined : v === "on" || v === "true" || v === true ? true : v === "false" || v === false ? false : v), z.boolean().optional());

export const optInt = z.preprocess((v) => {
  const b = blankToUndefined(v);
  return typeof b === "string" && /^-?\d+$/.test(b.trim()) ? Number(b) : b;
}, z.number().int().optional());

export const int = optInt.pipe(z.number({ error: "is required" }).int());

/** A list: an array, or comma/newline-separated text. Empty means "none given". */
export const optList = z.preprocess((v) => {
  if (typeof v === "string") return v.trim() === "" ? undefined : v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  return v;
}, z.array(z.string()).optional());

/** A JSON value typed as text in a form field; a JSON object's value passes through as it is. */
export const jsonText = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "is not valid JSON" });
    return z.NEVER;
  }
});
