import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { runAction } from "../actions/define-action";
import { createEnvironment } from "../environments/environment-verbs";
import { archiveFlag } from "../flags/archive-flag";
import { createFlag } from "../flags/create-flag";
import { createNamespace } from "../namespaces/namespace-verbs";
import { setFlagValue } from "../values/set-flag-value";
import { setTargetingAction } from "./actions";
import { incompletePrerequisites, prerequisiteDrafts, toPrerequisites, type PrerequisiteDraft } from "./console-model";
import { previewEvaluate } from "./preview";
import { loadTargetingTab } from "./targeting-tab";

/**
 * Issue 14, the console's prerequisites editor model against real MariaDB: what the editor builds
 * is what the server stores and what the page reads back (draft -> save -> reload -> same draft),
 * the page hands the preview every flag the prerequisites name (transitively), so an unmet
 * prerequisite previews DISABLED and a met one does not, and a cycle comes back as the field error
 * the editor shows under its section.
 */
let env: TestEnv;
const NS = "shop";
const ENV = "production";

beforeAll(async () => {
  env = await createTestEnv();
  const ctx = env.ctx();
  await createEnvironment({ ctx, input: { key: ENV, name: ENV } });
  await createNamespace({ ctx, input: { key: NS, name: NS } });
  await createFlag({ ctx, input: { namespace: NS, key: "child", type: "string", values: { [ENV]: "new" } } });
  await createFlag({ ctx, input: { namespace: NS, key: "parent", type: "boolean", values: { [ENV]: false } } });
  await createFlag({ ctx, input: { namespace: NS, key: "grandparent", type: "boolean", values: { [ENV]: true } } });
  await createFlag({ ctx, input: { namespace: NS, key: "retired", type: "boolean" } });
  await archiveFlag({ ctx, input: { namespace: NS, key: "retired", archived: true } });
});
afterAll(() => env?.cleanup());

const save = (key: string, version: number, prerequisites: PrerequisiteDraft[]) =>
  runAction(setTargetingAction, { namespace: NS, key, environment: ENV, enabled: true, variants: [], rules: [], prerequisites: toPrerequisites(prerequisites), expectedVersion: version }, env.ctx());

describe("prerequisites in the console model", () => {
  it("round-trips each condition the model allows: draft -> stored shape -> draft", () => {
    const drafts: PrerequisiteDraft[] = [
      { flag: "a", condition: "on", variants: [] },
      { flag: "b", condition: "off", variants: [] },
      { flag: "c", condition: "variants", variants: ["blue", "disabled"] },
    ];
    expect(toPrerequisites(drafts)).toEqual([{ flag: "a", enabled: true }, { flag: "b", enabled: false }, { flag: "c", enabled: true, variants: ["blue", "disabled"] }]);
    expect(prerequisiteDrafts(toPrerequisites(drafts))).toEqual(drafts);
    // Admin-API shapes the editor reads: defaults left out, empty variants = plain "on", off wins over variants.
    expect(prerequisiteDrafts([{ flag: "x" }, { flag: "y", variants: [] }, { flag: "z", enabled: false, variants: ["v"] }]).map((d) => d.condition)).toEqual(["on", "on", "off"]);
    expect(incompletePrerequisites([{ flag: "", condition: "on", variants: [] }, drafts[0]!, { flag: "c", condition: "variants", variants: [] }])).toEqual([1, 3]);
  });

  it("saves through the console action, reads back the same drafts, and offers only live unarchived other flags", async () => {
    const drafts: PrerequisiteDraft[] = [{ flag: "parent", condition: "on", variants: [] }];
    const saved = await save("child", 1, drafts);
    expect(saved.ok).toBe(true);
    await save("parent", 1, [{ flag: "grandparent", condition: "on", variants: [] }]);
    const tab = await loadTargetingTab(env.ctx(), NS, "child", [ENV]);
    expect(prerequisiteDrafts(tab.views[0]!.targeting.prerequisites)).toEqual(drafts);
    expect(tab.candidates.map((c) => c.key).sort()).toEqual(["grandparent", "parent"]);
    // Followed transitively: child -> parent -> grandparent.
    expect(tab.related.map((r) => r.key).sort()).toEqual(["grandparent", "parent"]);
  });

  it("previews DISABLED while the prerequisite is off and the flag's own value once it is on", async () => {
    const preview = async () => {
      const tab = await loadTargetingTab(env.ctx(), NS, "child", [ENV]);
      return previewEvaluate(tab.views[0]!, tab.segments, { userId: "u1" }, tab.related);
    };
    expect(await preview()).toMatchObject({ reason: "DISABLED", value: "new" });
    await setFlagValue({ ctx: env.ctx(), input: { namespace: NS, key: "parent", environment: ENV, value: true } });
    expect(await preview()).toMatchObject({ reason: "STATIC", value: "new" });
    expect((await preview()).errorCode).toBeUndefined();
  });

  it("a cycle comes back as the `prerequisites` field error naming it, and nothing is saved", async () => {
    const before = await loadTargetingTab(env.ctx(), NS, "grandparent", [ENV]);
    const r = await save("grandparent", before.views[0]!.version, [{ flag: "child", condition: "on", variants: [] }]);
    expect(r).toMatchObject({ ok: false, code: "validation_failed", fieldErrors: { prerequisites: expect.stringMatching(/^would create a prerequisite cycle: /) } });
    if (!r.ok) expect(r.fieldErrors!.prerequisites!.split(": ")[1]!.split(" -> ").sort()).toEqual(["child", "child", "grandparent", "parent"].sort());
    const after = await loadTargetingTab(env.ctx(), NS, "grandparent", [ENV]);
    expect(after.views[0]!.version).toBe(before.views[0]!.version);
  });

  it("an unknown flag comes back as the field error of its row", async () => {
    const v = (await loadTargetingTab(env.ctx(), NS, "child", [ENV])).views[0]!.version;
    const r = await save("child", v, [{ flag: "parent", condition: "on", variants: [] }, { flag: "nope", condition: "off", variants: [] }]);
    expect(r).toMatchObject({ ok: false, fieldErrors: { "prerequisites.1.flag": "no flag 'nope'" } });
  });
});
