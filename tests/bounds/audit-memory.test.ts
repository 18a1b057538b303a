/**
 * Guarantee: reading a long history of large values never holds more than a bounded amount of it in
 * the app's memory. History, value-version and audit pages stop at a byte budget (keyset cursor),
 * and exports stream page by page through the real route handlers. Memory is the live heap plus
 * ArrayBuffers after a forced GC, sampled while each response is held or mid-stream; the figures
 * are printed. Before the fix, one history read held every row (~64 MB here), a list page 500 rows
 * (~32 MB) and an export page 1,000 rows.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, loadHandler, startApiHarness, type ApiHarness } from "../support/api-test-harness";
import { auditRoutes } from "../../lib/http/api-registry";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const ROWS = 1024;
const VALUE_CHARS = 32 * 1024 - 64;
/** Live memory a read may add above the baseline; one unbounded page here is 32-130 MB. */
const BOUND_MB = 24;

let api: ApiHarness;
let admin: string;
let baseline = 0;
const peaks: Record<string, number> = {};

const live = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
function sample(what: string): void {
  peaks[what] = Math.max(peaks[what] ?? 0, live() - baseline);
}

/** 1,024 value changes of alpha/big, each with ~32 KiB before and after (~64 MB), built by MariaDB from small statements. */
async function writeLargeHistory(): Promise<void> {
  const big = (version: number) => sql`concat('{"value":"', repeat('x', ${VALUE_CHARS}), '","version":', ${version}, '}')`;
  for (let made = 0; made < ROWS; made += 128) {
    const rows = Array.from({ length: 128 }, (_, i) => sql`('system', 'bulk', 'flag_value.set', 'flag_value', 'alpha', 'production', 'big', ${big(made + i + 1)}, ${big(made + i + 2)})`);
    await api.env.db.execute(sql`
      insert into audit_events (actor_type, actor_name, action, target_type, namespace_key, environment_key, flag_key, \`before\`, \`after\`)
      values ${sql.join(rows, sql`, `)}`);
  }
}

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  await writeLargeHistory();
  baseline = live();
}, 120_000);

afterAll(async () => {
  console.log(
    `audit memory above baseline (live heap + ArrayBuffers after GC), ${ROWS} events of 2 x 32 KiB: ` +
      Object.entries(peaks).map(([k, v]) => `${k} ${mb(v)} MB`).join(", ") +
      `; baseline ${mb(baseline)} MB, rss ${mb(process.memoryUsage().rss)} MB`,
  );
  await api?.close();
});

/** Follows nextCursor from `path` to the end; checks the bound while each page is held. */
async function pageThrough(what: string, path: string, field: "events" | "versions"): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = [];
  let cursor: number | null = null;
  let pages = 0;
  do {
    const res = await api.call("GET", `${path}${path.includes("?") ? "&" : "?"}${cursor ? `cursor=${cursor}` : ""}`, { token: admin });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    if (pages % 3 === 0) sample(what); // a forced GC per page would dominate the run time
    for (const e of res.json[field]) ids.push(field === "events" ? e.id : e.eventId);
    cursor = res.json.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe("reading a history of large values", { timeout: 60_000 }, () => {
  it("the audit list stops a page at the byte budget and pages through every event once, newest first", async () => {
    const { ids, pages } = await pageThrough("audit list", "/api/v1/audit?flag=big&limit=500", "events");
    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(pages).toBeGreaterThan(ROWS / 500 + 1); // pages ended early at the byte budget, not at 500 rows
    expect(peaks["audit list"]).toBeLessThan(BOUND_MB * 2 ** 20);
  });

  it("a flag's history is paged the same way (it used to be one response of up to 5,000 events)", async () => {
    const { ids } = await pageThrough("flag history", "/api/v1/flags/alpha/big/history", "events");
    expect(new Set(ids).size).toBe(ROWS);
    expect(peaks["flag history"]).toBeLessThan(BOUND_MB * 2 ** 20);
  });

  it("value versions are paged with the event that created each", async () => {
    const { ids } = await pageThrough("value versions", "/api/v1/flags/alpha/big/values/production/versions?limit=500", "versions");
    expect(new Set(ids).size).toBe(ROWS);
    expect(peaks["value versions"]).toBeLessThan(BOUND_MB * 2 ** 20);
  });

  it("exports stream: every event arrives while memory stays at about one page", async () => {
    const handler = await loadHandler(auditRoutes.export);
    const req = new Request(`${BASE_URL}/api/v1/audit/export?format=csv&flag=big`, { headers: { authorization: `Bearer ${admin}` } });
    const res = await handler(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let lines = 0;
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      lines += value.split("\r\n").length - 1;
      if (++chunks % 200 === 0) sample("csv export");
    }
    expect(lines).toBe(ROWS + 1); // the header and one line per event
    expect(chunks).toBeGreaterThan(ROWS); // a chunk per row: the body was never built whole
    expect(peaks["csv export"]).toBeLessThan(BOUND_MB * 2 ** 20);
  });
});
