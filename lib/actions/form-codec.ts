import { ServiceError, type FieldIssue } from "../errors/service-error";
import { MAX_INPUT_DEPTH, tooDeeplyNested } from "../validation/parse";

/**
 * Server-action input arrives as FormData (every value a string; a checkbox "on" or absent) or as a
 * JSON object from a client component. A form codec turns those fields into the input of the verb
 * the action calls, and nothing more: it is plain functions, not a schema. The verb parses the
 * result once with its own zod schema, so a field's rules live in one place (lib/<entity>/schemas.ts).
 *
 * Each decoder's type is the type the verb accepts for that field. A decoder only reshapes what it
 * recognises (blank text, "on", "42", "a, b", JSON text) and passes anything else on unchanged for
 * the verb to reject with its own message; only JSON text that does not parse, which the verb could
 * not name, fails here. Fields a codec does not name are dropped (the verbs' schemas are strict).
 */
export type Decoder<T> = (raw: unknown) => T;
export type Fields = Record<string, unknown>;

/** Thrown by a decoder: the codec reports it under the field's name. */
export class FieldProblem extends Error {}

/** A validation failure shaped exactly like the verbs' own (code validation_failed, issues by path). */
export function invalid(issues: FieldIssue[]): ServiceError {
  return new ServiceError("validation_failed", "Invalid input", { issues });
}

/** FormData -> plain object; repeated names become arrays; Next's internal $ACTION fields are dropped. */
export function formDataToObject(fd: FormData): Fields {
  const out: Fields = {};
  for (const [k, v] of fd.entries()) {
    if (k.startsWith("$ACTION")) continue;
    const value = typeof v === "string" ? v : v.name;
    // Push onto one array: re-concatenating per repeat is quadratic in a hostile form's size.
    const prev = out[k];
    if (Array.isArray(prev)) prev.push(value);
    else if (Object.hasOwn(out, k)) out[k] = [prev, value];
    else out[k] = value;
  }
  return out;
}

/**
 * The raw action argument as an object of fields. Too deep nesting is refused before anything walks
 * it (the same guard and message as the verbs' parseInput), so no codec or key hash can overflow.
 */
export function readFields(raw: unknown): Fields {
  const obj = typeof FormData !== "undefined" && raw instanceof FormData ? formDataToObject(raw) : (raw ?? {});
  // Plain objects only: a Date, Map or class instance has no fields, and must not read as "all blank".
  const proto = typeof obj === "object" ? (Object.getPrototypeOf(obj) as unknown) : undefined;
  if (proto !== Object.prototype && proto !== null) throw invalid([{ path: "(body)", message: "must be an object of fields" }]);
  const deep = tooDeeplyNested(obj);
  if (deep) throw invalid([{ path: deep, message: `is nested more than ${MAX_INPUT_DEPTH} levels deep` }]);
  return obj as Fields;
}

const isBlank = (v: unknown) => typeof v === "string" && v.trim() === "";

/** Text the verb requires; passed on as it is. */
export const text: Decoder<string> = (v) => v as string;
/** Any JSON value from a client component; passed on as it is. */
export const value: Decoder<unknown> = (v) => v;
/** Optional text: an empty field means "not given". */
export const optText: Decoder<string | undefined> = (v) => (isBlank(v) ? undefined : (v as string | undefined));
/** Text that may be cleared: an empty field means null. */
export const clearable: Decoder<string | null | undefined> = (v) => (isBlank(v) ? null : (v as string | null | undefined));

/** A checkbox: "on"/"true"/"1"/true is true; absent, "", "off", "false", "0" is false. */
export const checkbox: Decoder<boolean> = (v) => {
  if (v === true || v === "on" || v === "true" || v === "1") return true;
  if (v === undefined || v === false || v === "" || v === "off" || v === "false" || v === "0") return false;
  return v as boolean;
};

/** Like checkbox, but absent or empty stays undefined ("leave unchanged"). */
export const optBoolean: Decoder<boolean | undefined> = (v) => (v === undefined || v === "" ? undefined : checkbox(v));

/** An optional whole number typed as text ("42"); blank means "not given". */
export const optInt: Decoder<number | undefined> = (v) => {
  if (isBlank(v)) return undefined;
  return typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : (v as number | undefined);
};
/** A whole number the verb requires. */
export const int = optInt as Decoder<number>;

/** A list: an array, or comma/newline-separated text. Empty text means "none given". */
export const list: Decoder<string[] | undefined> = (v) => {
  if (typeof v !== "string") return v as string[] | undefined;
  return isBlank(v) ? undefined : v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
};

/** A JSON value typed as text in a form field. */
export const json: Decoder<unknown> = (v) => {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new FieldProblem("must be JSON text");
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new FieldProblem("is not valid JSON");
  }
};

type Decoded<D extends Record<string, Decoder<unknown>>> = { [K in keyof D]: ReturnType<D[K]> };

export interface FormCodec<I> {
  /** The field names the codec reads (and the fuzz tests vary). */
  fields: readonly string[];
  decode(fields: Fields): I;
}

/**
 * A codec from one decoder per field, plus an optional `shape` that maps the decoded fields onto the
 * verb's input (merging a JSON-text field into its value, dropping a confirmation field) and may
 * refuse with `invalid(...)` for checks that belong to the form, not the verb. Decoded values that are
 * undefined are left out, so "not given" reaches the verb as an absent key.
 */
export function formCodec<D extends Record<string, Decoder<unknown>>, I = Decoded<D>>(
  decoders: D,
  shape?: (f: Decoded<D>) => I,
): FormCodec<I> {
  return {
    fields: Object.keys(decoders),
    decode(raw) {
      const out: Fields = {};
      const issues: FieldIssue[] = [];
      for (const [name, decode] of Object.entries(decoders)) {
        try {
          const v = decode(Object.hasOwn(raw, name) ? raw[name] : undefined);
          if (v !== undefined) out[name] = v;
        } catch (err) {
          if (!(err instanceof FieldProblem)) throw err;
          issues.push({ path: name, message: err.message });
        }
      }
      if (issues.length) throw invalid(issues);
      const decoded = out as Decoded<D>;
      return shape ? shape(decoded) : (decoded as unknown as I);
    },
  };
}

/** Drops undefined values, so a shape's optional keys stay absent (the verbs' schemas are strict). */
export function defined<T extends Fields>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
