/**
 * The highest etcd revision this process knows to exist, as the ceiling of an SDK's revision
 * report: a client cannot have applied a change the server has not published, so a report above it
 * is clamped to it (counted as "has everything published so far", never as ahead of it). An honest
 * client can be a little ahead of this process's watch hub (another process's hub was faster), so a
 * report above what the hub has seen first asks etcd for its current revision: at most one such read
 * in flight and one per `refreshMs`, so a flood of forged reports costs etcd almost nothing. If etcd
 * cannot answer, the hub's revision is the ceiling (an honest client is under-counted until its next
 * report; a forged one never over-counts).
 */
export interface PublishedRevisionSource {
  /** The newest etcd revision the watch hub has seen (0 while it starts). */
  known: () => number;
  /** Reads etcd's current revision. */
  fetch: () => Promise<number>;
  refreshMs?: number;
}

export class PublishedRevision {
  private fetched = 0;
  private fetchedAt = -Infinity;
  private inFlight: Promise<number> | null = null;
  private readonly refreshMs: number;

  constructor(private readonly source: PublishedRevisionSource) {
    this.refreshMs = source.refreshMs ?? 250;
  }

  /** `claimed`, or the published ceiling when the claim is above it. */
  async clamp(claimed: number): Promise<number> {
    const known = Math.max(this.source.known(), this.fetched);
    if (claimed <= known) return claimed;
    return Math.min(claimed, Math.max(this.source.known(), await this.refresh()));
  }

  private refresh(): Promise<number> {
    if (this.inFlight) return this.inFlight;
    if (Date.now() - this.fetchedAt < this.refreshMs) return Promise.resolve(this.fetched);
    this.inFlight = withTimeout(this.source.fetch(), FETCH_TIMEOUT_MS)
      .then(
        (rev) => (this.fetched = Math.max(this.fetched, rev)),
        () => this.fetched,
      )
      .finally(() => {
        this.fetchedAt = Date.now();
        this.inFlight = null;
      });
    return this.inFlight;
  }
}

/** A report waits at most this long for etcd (an etcd range read carries no deadline of its own). */
const FETCH_TIMEOUT_MS = 1_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`etcd did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
