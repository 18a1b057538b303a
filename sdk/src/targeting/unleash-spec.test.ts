import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { EvaluationContext } from "./context";
import { isOn } from "./evaluate";
import { createFlagSet, type FlagSet } from "./flag-set";
import { translateUnleash } from "./unleash/translate";

/**
 * Guarantee: MizuFlow serves what Unleash serves. Every case of the pinned
 * @unleash/client-specification (all files but the delta-API ones, 19 and 20, which test a
 * transport, not evaluation) goes through the importer and the evaluator and must give the
 * expected `isEnabled` / `getVariant` result.
 */
const specDir = path.dirname(createRequire(import.meta.url).resolve("@unleash/client-specification/specifications/index.json"));
const files = (JSON.parse(readFileSync(path.join(specDir, "index.json"), "utf8")) as string[]).filter(
  (f) => !f.startsWith("19-") && !f.startsWith("20-"),
);

interface SpecFile {
  name: string;
  state: unknown;
  tests?: { description: string; context: EvaluationContext; toggleName: string; expectedResult: boolean }[];
  variantTests?: { description: string; context: EvaluationContext; toggleName: string; expectedResult: Record<string, unknown> }[];
}

function isEnabled(set: FlagSet, key: string, ctx: EvaluationContext): boolean {
  const flag = set.get(key);
  const r = set.evaluate(key, ctx);
  return flag !== undefined && r !== undefined && isOn(flag, r);
}

/** Unleash's getVariant shape, from a MizuFlow result. */
function variantOf(set: FlagSet, key: string, ctx: EvaluationContext): Record<string, unknown> {
  const enabled = isEnabled(set, key, ctx);
  const r = set.evaluate(key, ctx);
  if (!enabled || r?.variant === undefined) return { name: "disabled", enabled: false, feature_enabled: enabled };
  const out: Record<string, unknown> = { name: r.variant, enabled: true, feature_enabled: true };
  if (r.payload) out.payload = r.payload;
  return out;
}

const failures: string[] = [];
let passed = 0;
let total = 0;

describe("Unleash client specification", () => {
  for (const file of files) {
    const spec = JSON.parse(readFileSync(path.join(specDir, file), "utf8")) as SpecFile;
    total += (spec.tests?.length ?? 0) + (spec.variantTests?.length ?? 0);
    it(`${file}: every case gives Unleash's expected result`, () => {
      const imported = translateUnleash(spec.state);
      if (!imported.ok) throw new Error(imported.message);
      const set = createFlagSet(
        imported.plan.flags.map((f) => f.targeting),
        imported.plan.segments,
      );
      let fileFailures = 0;
      for (const t of spec.tests ?? []) {
        const got = isEnabled(set, t.toggleName, t.context);
        if (got === t.expectedResult) passed++;
        else {
          fileFailures++;
          failures.push(`${file} | ${t.description}: expected ${t.expectedResult}, got ${got}`);
        }
      }
      for (const t of spec.variantTests ?? []) {
        const got = variantOf(set, t.toggleName, t.context);
        const want = { ...t.expectedResult };
        // unleash-client reports featureEnabled twice (snake and camel case); compare one.
        delete want.featureEnabled;
        if (JSON.stringify(sorted(got)) === JSON.stringify(sorted(want))) passed++;
        else {
          fileFailures++;
          failures.push(`${file} | ${t.description}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        }
      }
      expect(fileFailures).toBe(0);
    });
  }

  it("prints the tally", () => {
    console.log(`unleash-spec: ${passed} passed, ${failures.length} failed`);
    for (const f of failures) console.log(`  FAIL ${f}`);
    expect(passed + failures.length).toBe(total);
    expect(failures).toEqual([]);
  });
});

function sorted(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
