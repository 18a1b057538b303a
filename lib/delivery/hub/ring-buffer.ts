import type { HubEvent } from "./hub-types";

/**
 * Bounded buffer of the most recent hub events, in revision order. `floor` is the revision after
 * which the ring holds every event: a client whose Last-Event-ID is >= floor can be replayed
 * exactly; anyone older needs a snapshot.
 */
export class EventRing {
  private readonly buf: (HubEvent | undefined)[];
  private start = 0;
  private count = 0;
  floor: number;

  constructor(
    readonly capacity: number,
    floor = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`ring capacity must be a positive integer, got ${capacity}`);
    this.buf = new Array(capacity);
    this.floor = floor;
  }

  get size(): number {
    return this.count;
  }

  /** Forgets everything: from now on only events after `floor` can be replayed. */
  reset(floor: number): void {
    this.buf.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.floor = floor;
  }

  push(ev: HubEvent): void {
    if (this.count === this.capacity) {
      const evicted = this.buf[this.start]!;
      this.floor = Math.max(this.floor, evicted.revision);
      this.buf[this.start] = ev;
      this.start = (this.start + 1) % this.capacity;
      return;
    }
    this.buf[(this.start + this.count) % this.capacity] = ev;
    this.count++;
  }

  private at(i: number): HubEvent {
    return this.buf[(this.start + i) % this.capacity]!;
  }

  /** Events with revision > `after`, or null when some of them were already evicted. */
  since(after: number): HubEvent[] | null {
    if (after < this.floor) return null;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: HubEvent[] = [];
    for (let i = lo; i < this.count; i++) out.push(this.at(i));
    return out;
  }
}
