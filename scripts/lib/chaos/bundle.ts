import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import { ROOT } from "./node-process";

export interface Entrypoints {
  /** Node arguments that run each entry point. */
  worker: string[];
  writer: string[];
  clients: string[];
  remove(): Promise<void>;
}

const SOURCES = { worker: "workers/main.ts", writer: "scripts/lib/chaos/writer-child.ts", clients: "scripts/lib/chaos/client-child.ts" } as const;

/**
 * The chaos run's child programs. By default they are bundled once per run with esbuild (packages
 * stay external, resolved from the project's node_modules): the same sources, but a restart after
 * kill -9 then costs a plain `node` start instead of tsx compiling ~100 modules on a busy machine,
 * which would make "recovery time" mostly measure the compiler. `tsx: true` runs the sources as-is.
 */
export async function prepareEntrypoints(opts: { tsx: boolean }): Promise<Entrypoints> {
  if (opts.tsx) {
    const run = (file: string) => ["--import", "tsx", file];
    return { worker: run(SOURCES.worker), writer: run(SOURCES.writer), clients: run(SOURCES.clients), remove: async () => {} };
  }
  // Inside node_modules so that bare imports resolve to the project's packages.
  const outdir = path.join(ROOT, "node_modules", ".cache", "mizuflow-chaos", `${process.pid}-${randomBytes(3).toString("hex")}`);
  await build({
    entryPoints: Object.fromEntries(Object.entries(SOURCES).map(([name, file]) => [name, path.join(ROOT, file)])),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "error",
  });
  const run = (name: string) => [path.join(outdir, `${name}.mjs`)];
  return { worker: run("worker"), writer: run("writer"), clients: run("clients"), remove: () => rm(outdir, { recursive: true, force: true }) };
}
