import type { IWatchResponse, Namespace, Watcher } from "etcd3";

export interface FeedHandlers {
  /** The watch is attached (again); `header` is etcd's revision. */
  connected(header: number): void;
  disconnected(err: unknown): void;
  /** etcd cancelled the watch (a compacted start revision, most likely): continuity is lost. */
  cancelled(err: unknown): void;
  response(res: IWatchResponse): void;
}

/**
 * One etcd watch over everything under `root`, from a revision. etcd3 re-attaches a watcher after
 * a disconnect by itself, resuming from the last response header + 1; that can skip the rest of a
 * partly delivered catch-up batch, so on every disconnect the feed points it at `resumeFrom()`
 * (the revision after the last one applied). Once cancelled, a feed reports nothing more.
 */
export class WatchFeed {
  connected = false;
  private dead = false;
  private readonly watcher: Watcher;

  constructor(root: Namespace, fromRevision: number, resumeFrom: () => number, h: FeedHandlers) {
    // watcher() rather than create(): listeners must be attached before the first response.
    const w = root.watch().prefix("").startRevision(String(fromRevision)).watcher();
    this.watcher = w;
    w.on("connected", (res: IWatchResponse) => {
      if (this.dead) return;
      this.connected = true;
      h.connected(Number(res.header.revision));
    });
    w.on("disconnected", (err: unknown) => {
      if (this.dead) return;
      this.connected = false;
      w.request.start_revision = String(resumeFrom());
      h.disconnected(err);
    });
    w.on("error", (err: unknown) => {
      if (this.dead) return;
      // etcd3 has already detached a cancelled watcher.
      this.dead = true;
      this.connected = false;
      h.cancelled(err);
    });
    w.on("data", (res: IWatchResponse) => {
      if (!this.dead) h.response(res);
    });
  }

  async cancel(): Promise<void> {
    if (this.dead) return;
    this.dead = true;
    this.connected = false;
    await this.watcher.cancel().catch(() => {});
  }
}
