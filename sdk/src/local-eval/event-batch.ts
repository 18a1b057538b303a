import type { ApplyResult, FlagStore } from "../flag-store";
import type { DeletePayload, PutPayload, SegmentPayload } from "../protocol";

export type StreamChange =
  | { type: "put"; payload: PutPayload }
  | { type: "delete"; payload: DeletePayload }
  | { type: "segment"; payload: SegmentPayload }
  | { type: "segment-delete"; payload: DeletePayload };

/**
 * Holds the events of one stream id until the id is complete, then applies them together.
 *
 * One etcd transaction (a segment and the flags that use it, a flag delete and its tombstone, a
 * batch of values) gives all its events the same id. Applied one by one, an evaluation between
 * two of them could see a segment of the new revision with rules of the old one. So events are
 * buffered per id and applied in one synchronous step when an event of another id arrives, or
 * when the stream goes quiet for `quietMs` (0 = the next macrotask, after the rest of the received
 * chunk: the stream server writes all the events of one etcd watch response in one socket write,
 * lib/delivery/stream/stream-connection.ts, so a revision arrives whole). On a dropped connection the
 * buffer is discarded, not applied: the applied revision stays below the incomplete id, so the
 * resumed stream replays the whole of it.
 */
export class EventBatch {
  private events: StreamChange[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly apply: (events: StreamChange[]) => void,
    private readonly quietMs = 0,
  ) {}

  get size(): number {
    return this.events.length;
  }

  add(event: StreamChange): void {
    const first = this.events[0];
    if (first && first.payload.revision !== event.payload.revision) this.flush();
    this.events.push(event);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.quietMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Applies what is buffered now (one id). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.events;
    this.events = [];
    if (events.length > 0) this.apply(events);
  }

  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.events = [];
  }
}

/** Applies one id's events to the store, in the order received, as one result. */
export function applyChanges(store: FlagStore, events: readonly StreamChange[]): ApplyResult {
  const out: ApplyResult = { applied: false, changes: [], regressions: [] };
  for (const e of events) {
    const r =
      e.type === "put"
        ? store.applyPut(e.payload)
        : e.type === "delete"
          ? store.applyDelete(e.payload)
          : e.type === "segment"
            ? store.applySegment(e.payload)
            : store.applySegmentDelete(e.payload);
    out.applied ||= r.applied;
    out.changes.push(...r.changes);
    out.regressions.push(...r.regressions);
  }
  // A flag changed by its own put and by a segment of the same id is reported once (its put).
  const own = new Set(out.changes.filter((c) => c.segment === undefined).map((c) => `${c.namespace}/${c.key}`));
  const seen = new Set<string>();
  out.changes = out.changes.filter((c) => {
    if (c.segment === undefined) return true;
    const k = `${c.namespace}/${c.key}`;
    if (own.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  out.changes = store.withDependents(out.changes);
  return out;
}
