import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import os from "node:os";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { needsBuild } from "../../../scripts/lib/build-freshness";

/**
 * The production build the browser tests run: the same `.next` that `npm run stack` starts, built
 * only when a source file is newer than it (scripts/lib/build-freshness.ts). A lock directory makes
 * parallel e2e files wait for one build instead of racing each other.
 */
export const ROOT = path.resolve(import.meta.dirname, "../../..");
// Outside the checkout (and outside .next, which the build itself clears), one per checkout.
const LOCK = path.join(os.tmpdir(), `mizuflow-e2e-build-${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}.lock`);
const LOCK_STALE_MS = 10 * 60_000;

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      // Another test file is building; a lock older than that is left over from a crash.
      const age = await stat(LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) await rm(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error("timed out waiting for another e2e build");
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** Builds the app (next build) unless the current build is up to date. */
export async function ensureE2eBuild(log: (msg: string) => void = () => {}): Promise<void> {
  if (!(await needsBuild(ROOT))) return;
  await withLock(async () => {
    if (!(await needsBuild(ROOT))) return;
    log("building the app (next build) ...");
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (c: Buffer) => (output += c.toString()));
      child.stderr.on("data", (c: Buffer) => (output += c.toString()));
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`))));
    });
  });
}
