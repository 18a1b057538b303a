import fc from "fast-check";

/**
 * Building blocks of hostile input for the admin API fuzzer: strings a real attacker or a broken
 * client sends (injection, path tricks, unicode edge cases, control characters, huge text), number
 * tokens JSON.stringify cannot produce (1e309 -> Infinity, -0, 2^53+1), deep nesting and big arrays.
 */

/** A token spliced into the JSON text as-is (numbers JSON.stringify cannot write, deep nesting). */
export class Raw {
  constructor(readonly raw: string) {}
}

/** JSON text of a value tree that may contain Raw tokens; object keys are written verbatim. */
export function toJsonText(v: unknown): string {
  if (v instanceof Raw) return v.raw;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

export const INJECTIONS = [
  "' OR '1'='1",
  "1; DROP TABLE flags; --",
  "\\'; SELECT SLEEP(5); --",
  "%' UNION SELECT password_hash FROM users --",
  '" OR ""="',
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "{{7*7}}",
  "${7*7}",
  "__proto__",
  "constructor",
  "prototype",
];

export const PATH_LIKE = ["../x", "../../etc/passwd", "a/b", "%2F", "..%2F", "%2e%2e%2f", "..", ".", "/", "\\", "a\\b", "~", "flags/prod/ns/key", "a%00b", "?x=1", "#frag"];

export const UNICODE = [
  "😀",
  "👨‍👩‍👧‍👦",
  "\u202eevil",
  "zero\u200bwidth",
  "İstanbul",
  "ﬀ",
  "Ω",
  "\ufeffbom",
  "lone\ud800surrogate",
  "\udfff",
  "e\u0301",
  "ａｂｃ",
  "中文键",
  "\u2028\u2029",
];

export const CONTROL = ["\u0000", "nul\u0000in", "\u0007", "\b", "\u001b[31mred", "\r\n", "line\nbreak", "\t", "\u007f", "\u0085", " ", "", "   padded   "];

export const NUMBER_WORDS = ["1e309", "-1e309", "NaN", "Infinity", "-0", "9007199254740993", "0x10", "1.5", "-1", "0", "2147483648", "1e-400", " 1", "1 "];

const huge = fc.constantFrom(100_001, 130_000).chain((n) => fc.constantFrom("x".repeat(n), "😀".repeat(n / 2), "a/".repeat(n / 2), "\u0000".repeat(n)));

/** Any string a hostile client might send in a text field, a query parameter or a path segment. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS, ...PATH_LIKE, ...UNICODE, ...CONTROL, ...NUMBER_WORDS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom("A".repeat(129), "a".repeat(129), "a".repeat(201), "a".repeat(1001), "a".repeat(2001)) },
  { weight: 1, arbitrary: huge },
);

/** Number tokens at the edges, written raw into the JSON text. */
export const edgeNumber: fc.Arbitrary<Raw | number> = fc.oneof(
  fc.constantFrom("1e309", "-1e309", "-0", "9007199254740993", "-9007199254740993", "1e-400", "0.1", "2147483648", "4294967296", "1.5", "1E2", "123456789012345678901234567890").map((s) => new Raw(s)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1, 2_147_483_647, Number.MAX_SAFE_INTEGER),
);

/** Deeply nested arrays/objects and big arrays, as raw text so building them costs nothing. */
export const structuralBomb: fc.Arbitrary<Raw> = fc.oneof(
  fc.constantFrom(65, 200, 3_000, 50_000).map((n) => new Raw("[".repeat(n) + "]".repeat(n))),
  fc.constantFrom(65, 2_000).map((n) => new Raw('{"a":'.repeat(n) + "1" + "}".repeat(n))),
  fc.constantFrom(1_000, 40_000).map((n) => new Raw(`[${Array(n).fill("1").join(",")}]`)),
  fc.constantFrom(5_000).map((n) => new Raw(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}`)),
);

/** Any JSON-ish value: hostile leaves, edge numbers, small containers with hostile keys, bombs. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: hostileString },
    { weight: 2, arbitrary: edgeNumber },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(tie("v"), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(hostileKey(), tie("v"), { maxKeys: 4 }) },
    { weight: 1, arbitrary: structuralBomb },
  ),
})).v;

export function hostileKey(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom("__proto__", "constructor", "../x", "a/b", "%2F", "", " ", "\u0000", "😀", "$where", "a.b", "0"),
    fc.string({ maxLength: 12 }),
  );
}

/** Bodies that are not JSON at all, or broken JSON. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("{", "}", "[1,2", '{"a":}', "{'a':1}", '{"a":1,}', "nul", "NaN", "Infinity", "undefined", "\u0000", '{"a":1}garbage', "\ufeff{}", '{"a":"\u0000', '"unterminated', "{\"a\":01}", "[,]", "{\"a\" 1}", "tru"),
  fc.string({ maxLength: 60 }),
  fc.json().map((j) => (j.length > 1 ? j.slice(0, Math.max(1, j.length - 1 - (j.length % 3))) : "{")),
);
