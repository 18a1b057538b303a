import { describe, expect, it } from "vitest";
import { CONTEXT_MAX_DEPTH, OfrepRequestSchema, parseOfrepText } from "./ofrep-request";

/**
 * Guarantee: the hand-written pre-check in parseOfrepText never changes an answer. Every body it
 * accepts, the documented zod schema (OfrepRequestSchema) accepts with the same context; every body
 * the schema rejects is rejected with the schema's own first issue as the message. Checked on a
 * seeded corpus of generated bodies plus the edge cases the pre-check hands to zod (arrays,
 * `__proto__`, over-long keys, non-string targetingKey, many keys).
 */
function seeded(seed: number) {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

const ATOMS = ["1", '"s"', "null", "true", "[]", "{}", '[1,{"a":[]}]', JSON.stringify("k".repeat(300))];
const KEYS = ["targetingKey", "a", "__proto__", "k".repeat(257), "k".repeat(256), "0", "constructor", "x.y", ""];

function corpus(): string[] {
  const rnd = seeded(42);
  const value = (d: number): string => {
    const r = rnd(5);
    if (d > 6 || r < 2) return ATOMS[rnd(ATOMS.length)]!;
    if (r === 2) return `[${Array.from({ length: rnd(3) }, () => value(d + 1)).join(",")}]`;
    return `{${Array.from({ length: rnd(4) }, () => `${JSON.stringify(KEYS[rnd(KEYS.length)])}:${value(d + 1)}`).join(",")}}`;
  };
  const many = `{${Array.from({ length: 70 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
  const fixed = ["{}", "[]", "null", '"x"', '{"context":null}', '{"context":[]}', '{"context":"x"}', '{"context":{}}', '{"context":{"targetingKey":7}}', '{"context":{"targetingKey":null}}', '{"context":{"targetingKey":"u"},"extra":1}', '{"context":{"__proto__":{"a":1}}}', `{"context":${many}}`];
  return [...fixed, ...Array.from({ length: 3000 }, (_, i) => (i % 3 ? `{"context":${value(0)}}` : value(0)))];
}

describe("OFREP request body", () => {
  it("answers every body as the documented zod schema does (fast pre-check or not)", () => {
    let accepted = 0;
    for (const text of corpus()) {
      const got = parseOfrepText(text);
      const expected = OfrepRequestSchema.safeParse(JSON.parse(text));
      if (expected.success) {
        accepted++;
        expect(got, text).toEqual({ ok: true, context: expected.data.context, contextJson: text });
        expect(Object.getPrototypeOf(got.ok && got.context)).toBe(Object.prototype);
      } else {
        const issue = expected.error.issues[0]!;
        expect(got, text).toEqual({ ok: false, status: 400, errorCode: "INVALID_CONTEXT", errorDetails: `${issue.path.join(".") || "body"}: ${issue.message}` });
      }
    }
    // The corpus exercises both answers, not just one.
    expect(accepted).toBeGreaterThan(100);
  });

  it("names the path of the too-deep branch visited first (last key first), as before", () => {
    let deep: unknown = {};
    for (let i = 0; i < CONTEXT_MAX_DEPTH + 1; i++) deep = { a: deep, z: i % 2 ? { q: {} } : 1 };
    const got = parseOfrepText(JSON.stringify({ context: { first: deep, last: deep } }));
    expect(got).toMatchObject({ ok: false, errorCode: "INVALID_CONTEXT" });
    expect(!got.ok && got.errorDetails).toMatch(/^context\.last\.a\.a\.a/);
    expect(parseOfrepText("{not json")).toMatchObject({ ok: false, errorCode: "PARSE_ERROR" });
  });
});
