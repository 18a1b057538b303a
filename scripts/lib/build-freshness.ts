import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "next.config.ts", "package-lock.json"];

async function newestMtime(p: string): Promise<number> {
  const s = await stat(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(p)) newest = Math.max(newest, await newestMtime(path.join(p, entry)));
  return newest;
}

/** True when there is no production build or a source file changed after it was made. */
export async function needsBuild(root: string): Promise<boolean> {
  const marker = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(marker)) return true;
  const built = (await stat(marker)).mtimeMs;
  for (const src of SOURCES) {
    const p = path.join(root, src);
    if (existsSync(p) && (await newestMtime(p)) > built) return true;
  }
  return false;
}
