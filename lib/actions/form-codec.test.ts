import { describe, expect, it } from "vitest";
import { ServiceError } from "../errors/service-error";
import { checkbox, clearable, formCodec, int, json, list, optBoolean, optText, readFields, text, value } from "./form-codec";

/**
 * Guarantees of the form codec (no database needed): FormData and JSON fields become the verb's input
 * by the documented rules (blank -> absent, clearable blank -> null, checkbox, whole numbers, lists,
 * JSON text), fields the codec does not name never reach the verb, and the only failures it raises
 * itself (JSON text that does not parse, too deep nesting, not an object) are validation errors that
 * name the field, like the verbs' own.
 */
const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return { code: (err as ServiceError).code, issues: (err as ServiceError).issues };
  }
  throw new Error("expected a validation failure");
};

describe("form codec", () => {
  const codec = formCodec({ key: text, description: optText, note: clearable, on: checkbox, maybe: optBoolean, n: int, tags: list, v: value, vJson: json });

  it("decodes a form's strings into the verb's types and leaves blanks out", () => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ key: "k", description: "  ", note: "", on: "on", maybe: "false", n: "42", tags: "a, b\nc", vJson: '{"x":[1]}' })) fd.set(k, v);
    fd.set("$ACTION_ID_abc", "");
    fd.set("stray", "x");
    expect(codec.decode(readFields(fd))).toEqual({ key: "k", note: null, on: true, maybe: false, n: 42, tags: ["a", "b", "c"], vJson: { x: [1] } });
  });

  it("passes a client component's JSON values on unchanged, for the verb to judge", () => {
    expect(codec.decode(readFields({ key: 7, on: false, n: 3, tags: ["x"], v: { deep: true }, maybe: "maybe" }))).toEqual({
      key: 7,
      on: false,
      n: 3,
      tags: ["x"],
      v: { deep: true },
      maybe: "maybe",
    });
    // A checkbox left unticked is absent from FormData and means false.
    expect(codec.decode(readFields({}))).toEqual({ on: false });
  });

  it("names every field whose JSON text does not parse", () => {
    const twice = formCodec({ a: json, b: json });
    expect(issuesOf(() => twice.decode({ a: "{", b: 5 }))).toEqual({
      code: "validation_failed",
      issues: [
        { path: "a", message: "is not valid JSON" },
        { path: "b", message: "must be JSON text" },
      ],
    });
  });

  it("refuses input that is not an object of fields, or nested too deep, before any codec walks it", () => {
    for (const raw of ["text", 5, [1], new Date(0), new Map([["key", "k"]])]) {
      expect(issuesOf(() => readFields(raw))).toMatchObject({ code: "validation_failed", issues: [{ path: "(body)" }] });
    }
    expect(readFields(undefined)).toEqual({});
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(issuesOf(() => readFields({ v: deep }))).toMatchObject({ code: "validation_failed", issues: [{ path: "v", message: /nested more than/ }] });
  });

  it("repeated form fields become one list, and __proto__ cannot reach the prototype", () => {
    const fd = new FormData();
    for (const t of ["a", "b", "c"]) fd.append("tags", t);
    fd.append("__proto__", "x");
    const fields = readFields(fd);
    expect(list(fields.tags)).toEqual(["a", "b", "c"]);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });
});
