import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fileSnapshotStore } from "../src/node/file-snapshot-store";
import { deserializeSnapshot, serializeSnapshot, sourceFingerprint } from "../src/snapshot-store";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("local snapshot file", () => {
  it("is written atomically (no temp file left, whole content replaced) and read back", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "mf-sdk-"));
    dirs.push(dir);
    const file = path.join(dir, "nested", "flags.json");
    const store = fileSnapshotStore(file);
    expect(await store.load()).toBeNull();
    await store.save("first version, longer than the second");
    await store.save("second");
    expect(await readFile(file, "utf8")).toBe("second");
    expect(await readdir(path.dirname(file))).toEqual(["flags.json"]);
  });

  it("round-trips a snapshot bound to its server URL and key, and refuses one bound to another", () => {
    const fp = sourceFingerprint("http://a", "key-1");
    const raw = serializeSnapshot(fp, { revision: 3, environment: "production", flags: [] });
    expect(raw).not.toContain("key-1");
    expect(deserializeSnapshot(fp, raw)).toEqual({ revision: 3, environment: "production", flags: [] });
    expect(deserializeSnapshot(sourceFingerprint("http://a", "key-2"), raw)).toMatch(/another/);
    expect(deserializeSnapshot(fp, "{")).toBe("not JSON");
  });
});
