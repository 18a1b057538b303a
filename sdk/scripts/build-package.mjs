// Builds a package under sdk/ (the SDK, the React bindings): ESM (split chunks, shared between entries)
// and CommonJS bundles with esbuild, declarations with tsc, copied as .d.ts (ESM) and .d.cts (CJS)
// with explicit extensions so TypeScript resolves them under "moduleResolution": "node16" too.
// Dependencies and peers stay external: the package never bundles OpenFeature, React or eventsource.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import { build } from "esbuild";

const require = createRequire(import.meta.url);

/** @param {{ dir: string, entries: Record<string, string>, tsconfig?: string }} pkg entries: output name -> source file (relative to dir) */
export async function buildPackage({ dir, entries, tsconfig = "tsconfig.build.json" }) {
  const dist = path.join(dir, "dist");
  const typesTmp = path.join(dist, ".types");
  await rm(dist, { recursive: true, force: true });
  const entryPoints = Object.entries(entries).map(([out, src]) => ({ out, in: path.join(dir, src) }));
  const common = { entryPoints, bundle: true, packages: "external", platform: "neutral", target: "es2022", logLevel: "warning" };
  await Promise.all([
    build({ ...common, format: "esm", splitting: true, outdir: path.join(dist, "esm"), chunkNames: "chunks/[name]-[hash]" }),
    build({ ...common, format: "cjs", outdir: path.join(dist, "cjs"), outExtension: { ".js": ".cjs" } }),
  ]);

  const tsc = require.resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", path.join(dir, tsconfig), "--declarationDir", typesTmp], { stdio: "inherit" });
  const declarations = await listFiles(typesTmp);
  for (const [format, ext, jsExt] of [["esm", ".d.ts", ".js"], ["cjs", ".d.cts", ".cjs"]]) {
    for (const file of declarations) {
      const rel = path.relative(typesTmp, file);
      const text = withExtensions(await readFile(file, "utf8"), path.dirname(file), jsExt);
      await writeOut(path.join(dist, format, rel.replace(/\.d\.ts$/, ext)), text);
    }
    // An entry named differently from its source (e.g. openfeature/server <- openfeature/server-provider.ts).
    for (const [out, src] of Object.entries(entries)) {
      const srcRel = path.relative("src", src).replace(/\.tsx?$/, "");
      if (srcRel === out) continue;
      const target = path.relative(path.dirname(out), srcRel).replace(/^(?!\.)/, "./");
      await writeOut(path.join(dist, format, out + ext), `export * from "${target}${jsExt}";\n`);
    }
  }
  await rm(typesTmp, { recursive: true, force: true });
}

/** Relative specifiers in declarations get the extension of the built files (file, or dir/index). */
function withExtensions(text, fromDir, jsExt) {
  return text.replace(/(\bfrom\s*|\bimport\s*\(\s*)(["'])(\.{1,2}\/[^"']*)\2/g, (all, lead, quote, spec) => {
    if (/\.(c|m)?js$/.test(spec)) return all;
    const base = path.join(fromDir, spec);
    const resolved = existsSync(`${base}.d.ts`) ? `${spec}${jsExt}` : existsSync(path.join(base, "index.d.ts")) ? `${spec}/index${jsExt}` : null;
    if (!resolved) throw new Error(`cannot resolve ${spec} from a declaration in ${fromDir}`);
    return `${lead}${quote}${resolved}${quote}`;
  });
}

async function writeOut(file, text) {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

async function listFiles(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}
