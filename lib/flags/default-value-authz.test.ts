import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import { auditEvents } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { createEnvironment } from "../environments/environment-verbs";
import { createNamespace } from "../namespaces/namespace-verbs";
import { createFlag } from "./create-flag";
import { getFlag } from "./get-flag";
import { updateFlag } from "./update-flag";

/**
 * Issue 12 item 8: a flag's default value is what environments created later start serving
 * (production ones too), so an editor limited to some environments may not change it, while the
 * rest of the definition (description, tags) stays theirs to edit.
 */
let env: TestEnv;
const stagingEditor = userActor("staging-editor", [{ namespaceKey: "checkout", role: "editor", environmentKeys: ["staging"] }]);
const editor = userActor("editor", [{ namespaceKey: "checkout", role: "editor", environmentKeys: null }]);
const code = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof ServiceError ? e.code : String(e)));

beforeAll(async () => {
  env = await createTestEnv();
  for (const key of ["staging", "production"]) await createEnvironment({ ctx: env.ctx(), input: { key, name: key } });
  await createNamespace({ ctx: env.ctx(), input: { key: "checkout", name: "Checkout" } });
  await createFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: "limit", type: "number", defaultValue: 10 } });
});

afterAll(async () => {
  await env?.cleanup();
});

describe("a flag's default value", () => {
  it("an environment-limited editor cannot change it, nothing changes, and a later environment serves the old default", async () => {
    const before = await getFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: "limit" } });
    expect(await code(updateFlag({ ctx: env.ctx(stagingEditor), input: { namespace: "checkout", key: "limit", defaultValue: 9999 } }))).toBe("forbidden");
    expect(await code(updateFlag({ ctx: env.ctx(stagingEditor), input: { namespace: "checkout", key: "limit", description: "x", defaultValue: 10 } }))).toBe("forbidden");
    expect(await getFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: "limit" } })).toEqual(before);
    const audits = await env.db.select().from(auditEvents).where(and(eq(auditEvents.action, "flag.update"), eq(auditEvents.actorId, "staging-editor")));
    expect(audits).toEqual([]);
    await createEnvironment({ ctx: env.ctx(), input: { key: "eu-production", name: "EU production" } });
    const after = await getFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: "limit" } });
    expect(after.values["eu-production"]).toMatchObject({ value: 10 });
  });

  it("the same editor still edits the description and tags; an editor of every environment changes the default", async () => {
    expect(await code(updateFlag({ ctx: env.ctx(stagingEditor), input: { namespace: "checkout", key: "limit", description: "Max items", tags: ["cart"] } }))).toBe("ok");
    expect(await code(updateFlag({ ctx: env.ctx(editor), input: { namespace: "checkout", key: "limit", defaultValue: 20 } }))).toBe("ok");
    expect((await getFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: "limit" } })).defaultValue).toBe(20);
  });

  it("an environment-limited editor cannot create a flag even before any environment exists to check against", async () => {
    const bare = await createTestEnv();
    try {
      await createNamespace({ ctx: bare.ctx(), input: { key: "checkout", name: "Checkout" } });
      expect(await code(createFlag({ ctx: bare.ctx(stagingEditor), input: { namespace: "checkout", key: "early", type: "boolean", defaultValue: true } }))).toBe("forbidden");
    } finally {
      await bare.cleanup();
    }
  });
});
