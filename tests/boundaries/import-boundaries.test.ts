import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Guarantees about who may import what (docs/ARCHITECTURE.md, "Code layout and import rules"):
 * - the worker (workers/main.ts and everything it loads, dynamic imports included) never reaches
 *   next/* or next-auth, so it runs without the Next.js runtime and cannot drift into depending on it;
 * - components/ and app/ take domain code from lib/, never from a route folder's private `_lib`,
 *   and components/ never imports from app/;
 * - lib/ and workers/ never import from app/ or components/.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");

/** The import chain from the entry point to `target`, for a readable failure. */
function chain(inputs: Record<string, { imports: { path: string }[] }>, entry: string, target: string): string {
  const parent = new Map<string, string>();
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length) {
    const at = queue.shift()!;
    for (const { path: next } of inputs[at]?.imports ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      parent.set(next, at);
      queue.push(next);
    }
  }
  const steps = [target];
  for (let p = parent.get(target); p; p = parent.get(p)) steps.unshift(p);
  return steps.join("\n  -> ");
}

describe("the worker's import graph", () => {
  it("reaches no module of next or next-auth", async () => {
    const entry = "workers/main.ts";
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      write: false,
      metafile: true,
      outdir: "/nonexistent", // nothing is written (write: false); esbuild wants an outdir for splitting-free esm
      logLevel: "silent",
    });
    const inputs = result.metafile.inputs;
    // The walk really covered the worker: its relay, its stream server and the admin API handlers it
    // loads with a dynamic import are all in the graph.
    for (const must of ["workers/relay/outbox-relay.ts", "workers/stream-server/server.ts", "lib/http/api-registry.ts"]) {
      expect(Object.keys(inputs), must).toContain(must);
    }
    const forbidden = Object.keys(inputs).filter((p) => /(^|\/)node_modules\/(next|next-auth|@auth\/[^/]+)\//.test(p));
    expect(forbidden.map((p) => chain(inputs, entry, p)), "import chains from the worker into next/next-auth").toEqual([]);
  }, 60_000);
});

/** Every tracked TypeScript file under `dir`, with the module specifiers it imports or re-exports. */
function importsUnder(dir: string): { file: string; specifier: string; resolved: string | null }[] {
  const files = execFileSync("git", ["ls-files", "--", `${dir}/*.ts`, `${dir}/*.tsx`], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
  expect(files.length, `tracked files under ${dir}/`).toBeGreaterThan(0);
  return files.flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), "utf8"), true, true);
    return info.importedFiles.map(({ fileName: specifier }) => {
      const resolved = specifier.startsWith("@/")
        ? specifier.slice(2)
        : specifier.startsWith(".")
          ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
          : null; // a package
      return { file, specifier, resolved };
    });
  });
}

const describeImport = (i: { file: string; specifier: string }) => `${i.file} imports "${i.specifier}"`;

describe("source boundaries", () => {
  it("components/ and app/ never import a route folder's private _lib under app/api", () => {
    const bad = [...importsUnder("components"), ...importsUnder("app")].filter((i) => i.resolved !== null && /^app\/api\/(.+\/)?_lib(\/|$)/.test(i.resolved));
    expect(bad.map(describeImport)).toEqual([]);
  });

  it("components/ never imports from app/", () => {
    const bad = importsUnder("components").filter((i) => i.resolved?.startsWith("app/"));
    expect(bad.map(describeImport)).toEqual([]);
  });

  it("lib/ and workers/ never import from app/ or components/", () => {
    const bad = [...importsUnder("lib"), ...importsUnder("workers")].filter((i) => i.resolved !== null && /^(app|components)\//.test(i.resolved));
    expect(bad.map(describeImport)).toEqual([]);
  });
});
