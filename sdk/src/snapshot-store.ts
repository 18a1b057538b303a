import { parseSnapshot, type SnapshotPayload } from "./protocol";

/**
 * Local persistence of the last applied state, so an application that starts while the server is
 * unreachable serves its last known values (state `stale`) instead of defaults. The Node entry
 * stores it in a file (node/file-snapshot-store.ts); browsers may use localStorage (below).
 */
export interface SnapshotStore {
  load(): Promise<string | null>;
  save(contents: string): Promise<void>;
}

const FORMAT = "mizuflow.snapshot.v1";

/**
 * A persisted snapshot is bound to the server URL and SDK key that produced it (by a hash, never
 * the key itself), so a copied file or a changed key never serves another environment's flags.
 */
export function sourceFingerprint(url: string, sdkKey: string): string {
  // FNV-1a, 2 x 32 bits: a label, not a secret; the key cannot be recovered from it.
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const s = `${url}\n${sdkKey}`;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000197) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

export function serializeSnapshot(fingerprint: string, s: SnapshotPayload): string {
  return JSON.stringify({ format: FORMAT, fingerprint, savedAt: new Date().toISOString(), ...s });
}

/** The snapshot, or a reason it cannot be used. */
export function deserializeSnapshot(fingerprint: string, raw: string): SnapshotPayload | string {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return "not JSON";
  }
  const d = data as { format?: unknown; fingerprint?: unknown };
  if (d?.format !== FORMAT) return `unknown format ${JSON.stringify(d?.format)}`;
  if (d.fingerprint !== fingerprint) return "written for another server URL or SDK key";
  return parseSnapshot(data) ?? "malformed flags";
}

/** localStorage persistence for browsers; silently a no-op where storage is unavailable. */
export function localStorageSnapshotStore(key = "mizuflow:snapshot"): SnapshotStore {
  const storage = (): Storage | null => {
    try {
      return (globalThis as { localStorage?: Storage }).localStorage ?? null;
    } catch {
      return null; // e.g. blocked third-party storage throws on access
    }
  };
  return {
    async load() {
      return storage()?.getItem(key) ?? null;
    },
    async save(contents) {
      try {
        storage()?.setItem(key, contents);
      } catch {
        // Quota exceeded or storage disabled: persistence is best effort in browsers.
      }
    },
  };
}
