import type { HubEvent, HubSubscriber, ScopeSnapshot, SubscribeStart } from "../hub/hub-types";
import { inScope, type Scope } from "../hub/scope";
import { HEARTBEAT_FRAME, eventFrame, snapshotFrame } from "./sse-frames";

/** Where a connection's bytes go; each transport adapts its own response object to this. */
export interface StreamSink {
  write(chunk: Buffer): void;
  /** Bytes accepted by write() that the client has not taken yet. */
  buffered(): number;
  /** Ends the response; `abort` drops whatever is still buffered (a slow consumer). */
  close(abort: boolean): void;
}

export type CloseReason = "client" | "slow" | "revoked" | "shutdown" | "resync";

/** What a connection needs from the stream core that owns it. */
export interface ConnectionOwner {
  readonly maxBufferedBytes: number;
  snapshotFor(scope: Scope): ScopeSnapshot;
  counted(event: "put" | "delete" | "snapshot", n: number): void;
  detach(conn: StreamConnection, reason: CloseReason): void;
}

/**
 * One open SDK stream. It is a hub subscriber: the hub hands it each batch of events and it writes
 * the in-scope ones as one chunk, using frames encoded once per event. `lastId` is the last event
 * id sent; events at or below it are skipped, so ids only grow on a connection (and a client that
 * resumes ahead of this process's hub gets nothing twice).
 *
 * Kept small on purpose: a stream server holds thousands of these.
 */
export class StreamConnection implements HubSubscriber {
  lastId = 0;
  closed = false;

  constructor(
    private readonly owner: ConnectionOwner,
    readonly scope: Scope,
    readonly keyId: number,
    private readonly sink: StreamSink,
  ) {}

  /** Writes the retry hint and the first event(s) in one chunk, so both reach the client at once. */
  begin(start: SubscribeStart, retry: Buffer): void {
    if (start.kind === "snapshot") {
      this.lastId = start.snapshot.revision;
      this.sink.write(Buffer.concat([retry, snapshotFrame(start.snapshot)]));
      this.owner.counted("snapshot", 1);
      return;
    }
    this.lastId = start.revision;
    const frames = [retry];
    let puts = 0;
    for (const ev of start.events) {
      frames.push(eventFrame(ev));
      if (ev.type === "put" || ev.type === "segment") puts++;
    }
    this.sink.write(frames.length === 1 ? retry : Buffer.concat(frames));
    this.owner.counted("put", puts);
    this.owner.counted("delete", start.events.length - puts);
  }

  onEvents(events: readonly HubEvent[]): void {
    if (this.closed) return;
    const after = this.lastId;
    let first: Buffer | null = null;
    let many: Buffer[] | null = null;
    for (const ev of events) {
      if (ev.revision <= after || !inScope(this.scope, ev.environment, ev.namespace)) continue;
      const frame = eventFrame(ev);
      if (!first) first = frame;
      else (many ??= [first]).push(frame);
      this.lastId = ev.revision;
      this.owner.counted(ev.type === "segment" ? "put" : ev.type === "segment-delete" ? "delete" : ev.type, 1);
    }
    if (first) this.send(many ? Buffer.concat(many) : first);
  }

  onResync(): void {
    if (this.closed) return;
    const snap = this.owner.snapshotFor(this.scope);
    // A snapshot older than what the client has would move its ids backwards: let it reconnect.
    if (snap.revision < this.lastId) return this.close("resync");
    this.lastId = snap.revision;
    this.owner.counted("snapshot", 1);
    this.send(snapshotFrame(snap));
  }

  heartbeat(): void {
    if (!this.closed) this.send(HEARTBEAT_FRAME);
  }

  /**
   * The slow-consumer rule: a client whose unsent backlog already exceeds the limit is cut (it
   * will reconnect and resume with Last-Event-ID) instead of growing memory without bound.
   */
  private send(chunk: Buffer): void {
    if (this.sink.buffered() > this.owner.maxBufferedBytes) return this.close("slow");
    this.sink.write(chunk);
  }

  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.detach(this, reason);
    try {
      this.sink.close(reason === "slow");
    } catch {
      // The transport is already gone.
    }
  }
}
