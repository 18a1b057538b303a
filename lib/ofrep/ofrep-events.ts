import type { Db } from "../db/client";
import type { HubEvent, HubSubscriber } from "../delivery/hub/hub-types";
import { revocationSweep } from "../delivery/stream/revocation-check";
import { inScope, type Scope } from "../delivery/hub/scope";
import { HEARTBEAT_FRAME, retryFrame } from "../delivery/stream/sse-frames";
import type { StreamSink } from "../delivery/stream/stream-connection";
import type { WatchHub } from "../delivery/hub/watch-hub";
import { scopeEtag } from "./ofrep-etag";

/**
 * The OFREP event stream (ADR-0008): notification only. On a change in the key's scope it sends
 * `refetchEvaluation` with the scope's new ETag, id = the etcd revision, so `Last-Event-ID`
 * resumes through the same watch hub (and its replay ring) as the SDK stream. No flag data and no
 * rule ever goes on this stream. One frame per (scope, revision), shared by every stream of it.
 */
const frames = new Map<string, { revision: number; frame: Buffer }>();

function refetchFrame(scope: Scope, revision: number): Buffer {
  const cached = frames.get(scope.id);
  if (cached && cached.revision === revision) return cached.frame;
  const data = JSON.stringify({ type: "refetchEvaluation", etag: scopeEtag(scope, revision) });
  const frame = Buffer.from(`id: ${revision}\nevent: message\ndata: ${data}\n\n`);
  if (frames.size > 10_000) frames.clear();
  frames.set(scope.id, { revision, frame });
  return frame;
}

class OfrepEventConnection implements HubSubscriber {
  lastId = 0;
  closed = false;
  constructor(
    private readonly owner: OfrepEventStreams,
    readonly scope: Scope,
    readonly keyId: number,
    private readonly sink: StreamSink,
  ) {}

  onEvents(events: readonly HubEvent[]): void {
    if (this.closed) return;
    let last = 0;
    for (const ev of events) {
      if (ev.revision > this.lastId && ev.revision > last && inScope(this.scope, ev.environment, ev.namespace)) last = ev.revision;
    }
    if (last === 0) return;
    this.lastId = last;
    this.send(refetchFrame(this.scope, last));
  }

  onResync(): void {
    // The hub rebuilt its state: whatever changed, the client re-fetches once.
    if (this.closed) return;
    const rev = this.owner.hub.lastChangeIn(this.scope);
    this.lastId = Math.max(this.lastId, rev);
    this.send(refetchFrame(this.scope, rev));
  }

  send(chunk: Buffer): void {
    if (this.sink.buffered() > 256 * 1024) return this.close();
    this.sink.write(chunk);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.detach(this);
    try {
      this.sink.close(false);
    } catch {
      // The transport is already gone.
    }
  }
}

export class OfrepEventStreams {
  private readonly conns = new Set<OfrepEventConnection>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** The SDK stream's revocation sweep (delivery/stream/revocation-check.ts). */
  private readonly checkRevocations: () => Promise<void>;

  constructor(
    readonly hub: WatchHub,
    private readonly db: Db,
    readonly maxStreams: number,
    opts: { heartbeatMs?: number; revocationCheckMs?: number } = {},
  ) {
    const heartbeat = setInterval(() => this.conns.forEach((c) => c.send(HEARTBEAT_FRAME)), opts.heartbeatMs ?? 14_000);
    this.checkRevocations = revocationSweep(
      db,
      () => [...new Set([...this.conns].map((c) => c.keyId))],
      (id) => [...this.conns].forEach((c) => c.keyId === id && c.close()),
    );
    const revocation = setInterval(() => void this.checkRevocations(), opts.revocationCheckMs ?? 400);
    for (const t of [heartbeat, revocation]) t.unref();
    this.timers.push(heartbeat, revocation);
  }

  get openCount(): number {
    return this.conns.size;
  }

  /**
   * Subscribes and writes the first chunk. A resumed stream (Last-Event-ID) whose scope changed
   * since gets one `refetchEvaluation` at once, whether the ring still held the events or not.
   */
  open(scope: Scope, keyId: number, lastEventId: number | null, sink: StreamSink): { close(): void } {
    const conn = new OfrepEventConnection(this, scope, keyId, sink);
    const start = this.hub.subscribe(conn, lastEventId);
    this.conns.add(conn);
    const current = this.hub.lastChangeIn(scope);
    const missed = lastEventId !== null && current > lastEventId;
    conn.lastId = Math.max(start.kind === "replay" ? start.revision : this.hub.currentRevision, lastEventId ?? 0);
    sink.write(Buffer.concat([retryFrame(1000), missed ? refetchFrame(scope, current) : HEARTBEAT_FRAME]));
    return conn;
  }

  detach(conn: OfrepEventConnection): void {
    if (this.conns.delete(conn)) this.hub.unsubscribe(conn);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    for (const c of [...this.conns]) c.close();
  }
}
