import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { routeFiles } from "../support/route-files";

const ROOT = path.resolve(import.meta.dirname, "../..");

// What a route file may contain: imports, Next's segment config, and exports that name a handler
// defined in lib/ (`export const GET = flagHandlers.get;` or `export { h as GET }`). Anything else
// is logic that belongs in the entity's folder, where the worker and the tests can reach it.
const ALLOWED = [
  /^import (type )?\{[^}]*\} from "@\/lib\/[^"]+";$/,
  /^export const (dynamic|runtime) = "[a-z-]+";$/,
  /^export const (GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) = [A-Za-z]+(\.[A-Za-z]+)?;$/,
  /^export \{ ([A-Za-z]+ as (GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD)(, )?)+ \};$/,
];

describe("route files", () => {
  it("are one-liners: every route.ts under app/ only re-exports handlers from lib/", async () => {
    const files = await routeFiles(path.join(ROOT, "app"));
    expect(files.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const file of files) {
      const lines = (await readFile(file, "utf8")).split("\n").map((l) => l.trim());
      lines.forEach((line, i) => {
        if (line === "" || ALLOWED.some((re) => re.test(line))) return;
        problems.push(`${path.relative(ROOT, file)}:${i + 1}: ${line}`);
      });
    }
    expect(problems).toEqual([]);
  });
});
