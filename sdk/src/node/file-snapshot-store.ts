import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { SnapshotStore } from "../snapshot-store";

/**
 * The local snapshot in a file, replaced atomically: write a temp file in the same directory,
 * fsync it, rename it over the old one, fsync the directory. A crash at any point leaves either
 * the old complete file or the new complete file, never a torn one. Node-only (node:fs), which is
 * why it lives behind the `./node` entry and never reaches a browser bundle.
 */
export function fileSnapshotStore(filePath: string): SnapshotStore {
  const dir = path.dirname(filePath);
  return {
    async load() {
      try {
        return await readFile(filePath, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async save(contents) {
      await mkdir(dir, { recursive: true });
      const tmp = path.join(dir, `.${path.basename(filePath)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
      try {
        const fh = await open(tmp, "w", 0o600);
        try {
          await fh.writeFile(contents, "utf8");
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, filePath);
      } catch (err) {
        await unlink(tmp).catch(() => {});
        throw err;
      }
      await syncDir(dir);
    },
  };
}

/** Makes the rename itself durable. Some platforms cannot open a directory; that is not fatal. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort (e.g. Windows)
  }
}
