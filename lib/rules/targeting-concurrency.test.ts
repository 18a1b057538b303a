import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flags, flagValues } from "../db/schema";
import { createSegment, deleteSegment } from "../segments/segment-verbs";
import { createFlag } from "../flags/create-flag";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { seedScopes } from "../../tests/support/workers/fixtures";
import { setTargeting } from "./targeting-verbs";

/**
 * Issue 14, races on real MariaDB: a segment delete racing a rules save that starts using the
 * segment never leaves a rule naming a deleted segment (one of them is refused: 409 or 422), and two
 * saves racing to add the two halves of a prerequisite cycle never both succeed.
 */
let env: TestEnv;
const ROUNDS = 8;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.ctx(), "checkout", ["production"]);
  for (let i = 0; i < ROUNDS; i++) {
    await createFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: `a${i}`, type: "boolean" } });
    await createFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: `b${i}`, type: "boolean" } });
  }
});
afterAll(() => env?.cleanup());

const code = (r: PromiseSettledResult<unknown>) => (r.status === "fulfilled" ? "ok" : ((r.reason as { code?: string }).code ?? String(r.reason)));

describe("targeting races", () => {
  it("a segment delete racing a save that references it: never both succeed", async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await createSegment({ ctx: env.ctx(), input: { namespace: "checkout", key: `s${i}`, constraints: [] } });
      const [del, save] = await Promise.allSettled([
        deleteSegment({ ctx: env.ctx(), input: { namespace: "checkout", segmentKey: `s${i}` } }),
        setTargeting({ ctx: env.ctx(), input: { namespace: "checkout", key: `a${i}`, environment: "production", rules: [{ segments: [`s${i}`], serve: { value: true } }] } }),
      ]);
      outcomes.push(`${code(del)}/${code(save)}`);
      expect([code(del), code(save)]).not.toEqual(["ok", "ok"]);
      expect(["ok/validation_failed", "conflict/ok"]).toContain(`${code(del)}/${code(save)}`);
    }
    // Whatever won, no stored rule names a deleted segment.
    const rows = await env.db.select({ t: flagValues.targeting, key: flags.key }).from(flagValues).innerJoin(flags, eq(flags.id, flagValues.flagId));
    for (const r of rows) {
      const rules = (r.t as { rules?: unknown[] } | null)?.rules ?? [];
      if (rules.length) expect(outcomes[Number(r.key.slice(1))]).toBe("conflict/ok");
    }
  });

  it("two saves racing to close a prerequisite cycle: at most one succeeds", async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const results = await Promise.allSettled([
        setTargeting({ ctx: env.ctx(), input: { namespace: "checkout", key: `b${i}`, environment: "production", prerequisites: [{ flag: `a${i}` }] } }),
        setTargeting({ ctx: env.ctx(), input: { namespace: "checkout", key: `a${i}`, environment: "production", prerequisites: [{ flag: `b${i}` }] } }),
      ]);
      expect(results.map(code).sort()).toEqual(["ok", "validation_failed"]);
    }
  });
});
