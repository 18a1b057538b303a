import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import { createEnvironment } from "../environments/environment-verbs";
import { createFlag } from "../flags/create-flag";
import { getFlag } from "../flags/get-flag";
import { commitOutcomeUnknown } from "../idempotency/commit-outcome";
import { createNamespace } from "../namespaces/namespace-verbs";
import { toActionFailure } from "../actions/action-result";
import { runAction } from "../actions/define-action";
import { setFlagValueAction } from "./actions";

// The console's value save (components/flags/env-value-card.tsx sends one key per edit).
let env: TestEnv;
const editor = userActor("7", [{ namespaceKey: null, role: "admin", environmentKeys: null }]);
const input = (value: number, idempotencyKey?: string) => ({ namespace: "ui", key: "limit", environment: "production", value, idempotencyKey });
const version = async () => (await getFlag({ ctx: env.ctx(), input: { namespace: "ui", key: "limit" } })).values.production!.version;

beforeAll(async () => {
  env = await createTestEnv();
  await createEnvironment({ ctx: env.ctx(), input: { key: "production", name: "Production" } });
  await createNamespace({ ctx: env.ctx(), input: { key: "ui", name: "UI" } });
  await createFlag({ ctx: env.ctx(), input: { namespace: "ui", key: "limit", type: "number" } });
});
afterAll(() => env.cleanup());

describe("console value save", () => {
  it("pressing Save again with the edit's key answers the first save and never saves twice", async () => {
    const v = await version();
    const first = await runAction(setFlagValueAction, input(3, "console-edit-1"), env.ctx(editor));
    const again = await runAction(setFlagValueAction, input(3, "console-edit-1"), env.ctx(editor));
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.data).toEqual(JSON.parse(JSON.stringify(first.data)));
    expect(await version()).toBe(v + 1);
  });

  it("a save whose outcome is unknown reads 'may or may not have been saved', not an error that claims nothing changed", () => {
    const failure = toActionFailure(commitOutcomeUnknown("console-edit-2", new Error("Database query timed out")));
    expect(failure.code).toBe("commit_outcome_unknown");
    expect(failure.message).toMatch(/may or may not have been saved/);
    expect(failure.message).toMatch(/Reload/);
    expect(failure.message).not.toMatch(/nothing was changed/);
  });

  it("rejects a malformed key and saves nothing", async () => {
    const v = await version();
    const res = await runAction(setFlagValueAction, input(4, "bad key"), env.ctx(editor));
    expect(res.ok).toBe(false);
    expect(await version()).toBe(v);
  });
});
