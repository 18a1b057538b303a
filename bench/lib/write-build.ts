import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { needsBuild } from "../../scripts/lib/build-freshness";
import { NEXT_BIN, ROOT } from "./write-stack";

const BUILD_WAIT_MS = 10 * 60_000;

/**
 * Runs `next build` when there is no build or sources changed since; --no-build only warns. If
 * another `next build` holds the directory's lock, waits for it and checks freshness again.
 */
export async function ensureBuild(noBuild: boolean): Promise<string> {
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    const stale = await needsBuild(ROOT);
    const hasBuild = existsSync(path.join(ROOT, ".next", "BUILD_ID"));
    if (!stale) return "existing production build (up to date)";
    if (noBuild) {
      if (!hasBuild) throw new Error("no production build (.next/BUILD_ID) and --no-build given: run `npx next build` first");
      console.log("[bench] WARNING: the production build is older than the sources (--no-build: using it anyway)");
      return "existing production build (STALE, --no-build)";
    }
    console.log(`[bench] ${hasBuild ? "production build is stale" : "no production build"}: running next build ...`);
    const started = Date.now();
    const { code, output } = await runBuild();
    if (code === 0) return `fresh production build (next build took ${((Date.now() - started) / 1000).toFixed(0)} s)`;
    if (!/already running/.test(output) || Date.now() > deadline) throw new Error(`next build failed (exit ${code})`);
    console.log("[bench] another next build is running in this directory; waiting for it ...");
    await new Promise((r) => setTimeout(r, 15_000));
  }
}

function runBuild(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const b = spawn(process.execPath, [NEXT_BIN, "build"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (c: Buffer, to: NodeJS.WriteStream) => {
      to.write(c);
      output = (output + c.toString("utf8")).slice(-20_000);
    };
    b.stdout!.on("data", (c: Buffer) => keep(c, process.stdout));
    b.stderr!.on("data", (c: Buffer) => keep(c, process.stderr));
    b.on("exit", (code) => resolve({ code, output }));
  });
}
