import { and, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { sdkKeys } from "../../db/schema";
import { forgetCachedSdkKey } from "../../sdk-keys/verify-sdk-key";

/**
 * Finds which of the SDK keys with open streams are no longer usable (revoked, or deleted with
 * their environment). Stream servers run this every few hundred milliseconds, which is how a
 * revocation made by any process closes streams everywhere within a second, without any shared
 * in-process state. One indexed primary-key query per 1,000 keys in use.
 */
const CHUNK = 1000;

export async function findUnusableKeys(db: Db, keyIds: readonly number[]): Promise<number[]> {
  const gone: number[] = [];
  for (let i = 0; i < keyIds.length; i += CHUNK) {
    const chunk = keyIds.slice(i, i + CHUNK);
    const rows = await db
      .select({ id: sdkKeys.id })
      .from(sdkKeys)
      .where(and(inArray(sdkKeys.id, chunk), isNull(sdkKeys.revokedAt)));
    const live = new Set(rows.map((r) => r.id));
    for (const id of chunk) {
      if (!live.has(id)) {
        gone.push(id);
        forgetCachedSdkKey(db, id);
      }
    }
  }
  return gone;
}

/**
 * The periodic sweep every kind of open stream runs (the SDK stream in stream-core.ts, OFREP's
 * event streams in ofrep/ofrep-events.ts): the keys in use are checked in one go and every stream
 * of an unusable key is closed. A sweep never overlaps the previous one; when MySQL cannot answer,
 * streams keep being served and the next tick tries again.
 */
export function revocationSweep(
  db: Db,
  keysInUse: () => readonly number[],
  closeKey: (keyId: number) => void,
  onError: (err: unknown) => void = () => {},
): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    const ids = keysInUse();
    if (ids.length === 0) return;
    running = true;
    try {
      for (const id of await findUnusableKeys(db, ids)) closeKey(id);
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
}
