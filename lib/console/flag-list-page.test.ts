import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlag } from "../flags/create-flag";
import { archiveFlag } from "../flags/archive-flag";
import { ServiceError } from "../errors/service-error";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import { seedScopes } from "../../tests/support/stream-server/fixtures";
import { listFlagPage } from "./flag-list-page";

/**
 * The console's flag list read against real MariaDB: sorting, counting and paging happen over every
 * matching flag (not a loaded subset), the parameters are validated, and a viewer's count never
 * includes a namespace hidden from them.
 */
let env: TestEnv;
const TYPES = ["boolean", "string", "number", "json"] as const;
const DEFAULTS = { boolean: true, string: "s", number: 1, json: { a: 1 } };
const all: { ns: string; key: string; type: string }[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["alpha", "beta"] });
  for (let i = 0; i < 60; i++) {
    const ns = i % 3 === 0 ? "beta" : "alpha";
    const type = TYPES[i % 4]!;
    const key = `f-${String(i).padStart(2, "0")}`;
    await createFlag({ ctx: env.ctx(), input: { namespace: ns, key, type, defaultValue: DEFAULTS[type] } });
    all.push({ ns, key, type });
  }
  await archiveFlag({ ctx: env.ctx(), input: { namespace: "alpha", key: "f-01", archived: true } });
});

afterAll(async () => {
  await env?.cleanup();
});

const names = (r: { flags: { namespace: string; key: string }[] }) => r.flags.map((f) => `${f.namespace}/${f.key}`);
const active = () => all.filter((f) => !(f.ns === "alpha" && f.key === "f-01"));

describe("console flag list page", () => {
  it("guarantee: pages cover every active flag exactly once in the requested order, with the total count", async () => {
    const expected = active().map((f) => `${f.ns}/${f.key}`).sort().reverse();
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const r = await listFlagPage({ ctx: env.ctx(), input: { sort: "flag", dir: "desc", page: String(page), size: "25" } });
      expect(r).toMatchObject({ total: 59, pages: 3, page, size: 25 });
      seen.push(...names(r));
    }
    expect(seen).toEqual(expected);
  });

  it("guarantee: sorting by type orders all flags by type first (ties by namespace and key), not just one page", async () => {
    const r = await listFlagPage({ ctx: env.ctx(), input: { sort: "type", page: "1", size: "100", archived: "all" } });
    expect(r.total).toBe(60);
    const expected = [...all].sort((a, b) => (a.type === b.type ? (a.ns === b.ns ? (a.key < b.key ? -1 : 1) : a.ns < b.ns ? -1 : 1) : a.type < b.type ? -1 : 1));
    expect(names(r)).toEqual(expected.map((f) => `${f.ns}/${f.key}`));
  });

  it("guarantee: a page past the end is clamped to the last one; filters count their own total", async () => {
    const r = await listFlagPage({ ctx: env.ctx(), input: { page: "99", size: "25", type: "json" } });
    expect(r).toMatchObject({ total: 15, pages: 1, page: 1 });
    expect(r.flags).toHaveLength(15);
  });

  it("guarantee: a viewer of one namespace gets counts and rows of that namespace only", async () => {
    const viewer = userActor("beta-viewer", [{ namespaceKey: "beta", role: "viewer", environmentKeys: null }]);
    const r = await listFlagPage({ ctx: env.ctx(viewer), input: { size: "100" } });
    expect(r.total).toBe(20);
    expect(r.flags.every((f) => f.namespace === "beta")).toBe(true);
  });

  it("guarantee: parameters outside the schema are refused with the field named", async () => {
    for (const input of [{ size: "7" }, { sort: "owner" }, { dir: "up" }, { page: "0" }, { cursor: "x" }]) {
      const err = await listFlagPage({ ctx: env.ctx(), input }).catch((e: unknown) => e);
      expect(err, JSON.stringify(input)).toBeInstanceOf(ServiceError);
      expect((err as ServiceError).code).toBe("validation_failed");
    }
  });
});
