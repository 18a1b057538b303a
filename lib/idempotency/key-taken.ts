/**
 * Thrown to the caller of a keyed write when its Idempotency-Key row appeared between the lookup
 * and the write's transaction (a concurrent request with the same key committed first): nothing
 * was written, and the caller replays the stored answer instead (lib/http/idempotency.ts).
 */
export class IdempotencyKeyTaken extends Error {
  constructor() {
    super("The Idempotency-Key was used by a concurrent request that committed first");
    this.name = "IdempotencyKeyTaken";
  }
}
