import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "@/tests/support/api-test-harness";
import { CSV_COLUMNS } from "@/lib/audit/export-audit";

let api: ApiHarness;
let admin: string;
let alphaReviewer: string;
let alphaViewer: string;

type Event = { id: number; namespace: string | null; flag: string | null; action: string };

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  for (const [method, path, json] of [
    ["POST", "/api/v1/environments", { key: "production", name: "Production" }],
    ["POST", "/api/v1/namespaces", { key: "alpha", name: "Alpha" }],
    ["POST", "/api/v1/namespaces", { key: "beta", name: "Beta" }],
    ["POST", "/api/v1/flags", { namespace: "alpha", key: "toggle", type: "boolean", values: { production: false } }],
    ["POST", "/api/v1/flags", { namespace: "beta", key: "secret", type: "string", values: { production: "a" } }],
    ["PUT", "/api/v1/flags/alpha/toggle/values/production", { value: true, reason: "launch, \"finally\"" }],
    ["PUT", "/api/v1/flags/alpha/toggle/values/production", { value: false, reason: "=cmd|' /C calc'!A0" }],
    ["PUT", "/api/v1/flags/beta/secret/values/production", { value: "b" }],
  ] as const) {
    const res = await api.call(method, path, { token: admin, json });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  }
  alphaReviewer = await api.token({ role: "reviewer", namespaces: ["alpha"] });
  alphaViewer = await api.token({ role: "viewer", namespaces: ["alpha"] });
});
afterAll(() => api?.close());

async function allPages(token: string, query = ""): Promise<Event[]> {
  const out: Event[] = [];
  let cursor: number | null = null;
  do {
    const res = await api.call("GET", `/api/v1/audit?limit=2${query}${cursor ? `&cursor=${cursor}` : ""}`, { token });
    expect(res.status, res.text).toBe(200);
    out.push(...res.json.events);
    cursor = res.json.nextCursor;
  } while (cursor);
  return out;
}

describe("GET /api/v1/audit", () => {
  it("shows a super-admin everything, newest first, across cursor pages without gaps or repeats", async () => {
    const events = await allPages(admin);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    const one = await api.call("GET", "/api/v1/audit?limit=500", { token: admin });
    expect(one.json.events.map((e: Event) => e.id)).toEqual(ids);
    expect(new Set(events.map((e) => e.namespace))).toEqual(new Set(["alpha", "beta", null]));
  });

  it("shows a reviewer of alpha only alpha's events, and refuses beta's (403) and viewers (403)", async () => {
    const events = await allPages(alphaReviewer);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.every((e) => e.namespace === "alpha")).toBe(true);
    expect((await api.call("GET", "/api/v1/audit?namespace=beta", { token: alphaReviewer })).status).toBe(403);
    expect((await api.call("GET", "/api/v1/audit", { token: alphaViewer })).status).toBe(403);
    expect((await api.call("GET", "/api/v1/audit")).status).toBe(401);
  });

  it("filters by flag, action, actor and time range", async () => {
    const sets = await allPages(admin, "&flag=toggle&action=flag_value.set");
    expect(sets.map((e) => `${e.flag} ${e.action}`)).toEqual(["toggle flag_value.set", "toggle flag_value.set"]);
    const flagActions = await allPages(admin, "&action=flag.");
    expect(flagActions.length).toBeGreaterThan(0);
    expect(flagActions.every((e) => e.action.startsWith("flag."))).toBe(true);
    expect(await allPages(admin, "&actor=nobody-at-all")).toEqual([]);
    expect(await allPages(admin, "&to=2000-01-01")).toEqual([]);
    expect((await allPages(admin, "&from=2000-01-01T00:00:00Z")).length).toBeGreaterThan(0);
  });

  it("rejects malformed filters with 422 naming the parameter", async () => {
    for (const [query, field] of [
      ["limit=abc", "limit"],
      ["limit=0", "limit"],
      ["cursor=-1", "cursor"],
      ["from=yesterday", "from"],
      ["to=2024-02-31", "to"],
      ["namespace=Alpha%2F..", "namespace"],
      ["action=DROP%20TABLE", "action"],
      ["bogus=1", "(body)"],
    ]) {
      const res = await api.call("GET", `/api/v1/audit?${query}`, { token: admin });
      expect([query, res.status, res.json?.error?.issues?.[0]?.path]).toEqual([query, 422, field]);
    }
  });
});

describe("GET /api/v1/audit/export", () => {
  it("downloads CSV with a header row, one line per visible event, spreadsheet formulas defused", async () => {
    const res = await api.call("GET", "/api/v1/audit/export?format=csv&namespace=alpha", { token: alphaReviewer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="mizuflow-audit-.+\.csv"$/);
    const lines = res.text.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    const listed = await allPages(alphaReviewer, "&namespace=alpha");
    expect(lines).toHaveLength(listed.length + 1);
    expect(res.text).toContain(`"launch, ""finally"""`);
    expect(res.text).toContain("'=cmd");
    expect(res.text).not.toContain("beta");
  });

  it("downloads JSON as an array of the caller's visible events; CSV is the default", async () => {
    const res = await api.call("GET", "/api/v1/audit/export?format=json", { token: alphaReviewer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toMatch(/\.json"$/);
    const events = JSON.parse(res.text) as Event[];
    expect(events.map((e) => e.id)).toEqual((await allPages(alphaReviewer)).map((e) => e.id));
    expect(events.every((e) => e.namespace === "alpha")).toBe(true);
    const byDefault = await api.call("GET", "/api/v1/audit/export?limit=1", { token: admin });
    expect(byDefault.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(byDefault.text.split("\r\n").filter(Boolean)).toHaveLength(2);
  });

  it("refuses viewers (403) and bad formats (422) before any download starts", async () => {
    const denied = await api.call("GET", "/api/v1/audit/export", { token: alphaViewer });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("forbidden");
    const bad = await api.call("GET", "/api/v1/audit/export?format=xml", { token: admin });
    expect([bad.status, bad.json.error.issues[0].path]).toEqual([422, "format"]);
    expect((await api.call("GET", "/api/v1/audit/export?limit=100001", { token: admin })).status).toBe(422);
  });
});

describe("GET /api/v1/flags/{namespace}/{key}/history", () => {
  it("lists one flag's audited changes for its namespace's reviewers only", async () => {
    const res = await api.call("GET", "/api/v1/flags/alpha/toggle/history", { token: alphaReviewer });
    expect(res.status).toBe(200);
    expect(res.json.events.map((e: Event) => e.action)).toEqual(["flag_value.set", "flag_value.set", "flag.create"]);
    expect(res.json.events.every((e: Event) => e.namespace === "alpha" && e.flag === "toggle")).toBe(true);
    expect((await api.call("GET", "/api/v1/flags/beta/secret/history", { token: alphaReviewer })).status).toBe(403);
    expect((await api.call("GET", "/api/v1/flags/alpha/toggle/history", { token: alphaViewer })).status).toBe(403);
    const bad = await api.call("GET", "/api/v1/flags/alpha/Bad%20Key/history", { token: admin });
    expect([bad.status, bad.json.error.issues[0].path]).toEqual([422, "key"]);
  });
});
